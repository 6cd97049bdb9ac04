package synth

import (
	"math/rand/v2"
	"slices"
)

// How names spread over people. How many namesakes an organisation has
// decides how hard misdirection is to see: every colleague who shares a
// contact's name is one an honest first message could go to and one a slip
// could pick. Japan's surnames fall off about as 1/(rank+8): 佐藤 is borne by
// about 1.5% of people, the tenth name by 0.7%, the hundredth by 0.15%, so
// the 135 listed names cover a little over a third of people and the rest
// bear one of many thousand rarer names. A thousand-person company then has
// about two namesakes per person. Given names are more varied still.
//
// Drawing only from the short lists would give each person eight
// namesakes by surname and nineteen by given name, and a third of all
// addresses a number (k.murata2): a company no real directory looks like.

// surnameScale is the share of people bearing the most common surname
// times (1+8), so that surnames[rank-1] is borne by
// surnameScale/(rank+8).
const surnameScale = 0.1332

// listedSurnameCum holds the cumulative shares of the listed surnames.
var listedSurnameCum = func() []float64 {
	cum := make([]float64, len(surnames))
	sum := 0.0
	for i := range surnames {
		sum += surnameScale / float64(i+1+8)
		cum[i] = sum
	}
	return cum
}()

// rarerSurnames are made of common surname parts, 北+川 → 北川: names real
// but each borne by few, standing for the long tail. Those the list already
// has are left out so that the listed shares hold.
var rarerSurnames = func() []romanised {
	firsts := []romanised{
		{"北", "kita"}, {"南", "minami"}, {"東", "higashi"}, {"西", "nishi"}, {"上", "kami"},
		{"下", "shimo"}, {"大", "o"}, {"小", "ko"}, {"中", "naka"}, {"高", "taka"},
		{"石", "ishi"}, {"岩", "iwa"}, {"松", "matsu"}, {"竹", "take"}, {"梅", "ume"},
		{"杉", "sugi"}, {"柳", "yanagi"}, {"桜", "sakura"}, {"藤", "fuji"}, {"菊", "kiku"},
		{"今", "ima"}, {"吉", "yoshi"}, {"宮", "miya"}, {"福", "fuku"}, {"平", "hira"},
		{"長", "naga"}, {"浅", "asa"}, {"深", "fuka"}, {"黒", "kuro"}, {"白", "shira"},
		{"赤", "aka"}, {"青", "ao"}, {"金", "kana"}, {"早", "haya"}, {"古", "furu"},
		{"新", "nii"}, {"荒", "ara"}, {"水", "mizu"}, {"秋", "aki"}, {"春", "haru"},
		{"星", "hoshi"}, {"寺", "tera"}, {"奥", "oku"}, {"森", "mori"}, {"前", "mae"},
		{"横", "yoko"}, {"川", "kawa"}, {"野", "no"}, {"稲", "ina"}, {"片", "kata"},
	}
	seconds := []romanised{
		{"田", "ta"}, {"川", "kawa"}, {"村", "mura"}, {"本", "moto"}, {"山", "yama"},
		{"野", "no"}, {"原", "hara"}, {"島", "shima"}, {"沢", "sawa"}, {"井", "i"},
		{"木", "ki"}, {"谷", "tani"}, {"崎", "saki"}, {"口", "guchi"}, {"部", "be"},
		{"尾", "o"}, {"岡", "oka"}, {"池", "ike"}, {"橋", "hashi"}, {"浦", "ura"},
		{"塚", "tsuka"}, {"内", "uchi"}, {"江", "e"}, {"瀬", "se"}, {"坂", "saka"},
		{"林", "bayashi"},
	}
	listed := map[string]bool{}
	for _, s := range surnames {
		listed[s.Kanji] = true
	}
	var out []romanised
	for _, f := range firsts {
		for _, s := range seconds {
			if f.Kanji == s.Kanji || listed[f.Kanji+s.Kanji] {
				continue
			}
			out = append(out, romanised{f.Kanji + s.Kanji, f.Roman + s.Roman})
		}
	}
	return out
}()

// pickSurname draws a surname with Japan's spread.
func pickSurname(r *rand.Rand) romanised {
	x := r.Float64()
	if x < listedSurnameCum[len(listedSurnameCum)-1] {
		i, _ := slices.BinarySearch(listedSurnameCum, x)
		return surnames[i]
	}
	return rarerSurnames[r.IntN(len(rarerSurnames))]
}

// madeGivenNames are given names made of common parts, 健+太 → 健太.
var madeGivenNames = func() []romanised {
	made := func(firsts, seconds []romanised) []romanised {
		var out []romanised
		for _, f := range firsts {
			for _, s := range seconds {
				if f.Kanji != s.Kanji {
					out = append(out, romanised{f.Kanji + s.Kanji, f.Roman + s.Roman})
				}
			}
		}
		return out
	}
	male := made([]romanised{
		{"健", "ken"}, {"大", "dai"}, {"翔", "sho"}, {"拓", "taku"}, {"直", "nao"},
		{"和", "kazu"}, {"雄", "yu"}, {"裕", "yu"}, {"俊", "shun"}, {"浩", "hiro"},
		{"智", "tomo"}, {"正", "masa"}, {"秀", "hide"}, {"隆", "taka"}, {"康", "yasu"},
		{"達", "tatsu"}, {"哲", "tetsu"}, {"光", "mitsu"}, {"信", "nobu"}, {"義", "yoshi"},
		{"孝", "taka"}, {"幸", "yuki"}, {"晃", "aki"}, {"陽", "haru"}, {"優", "yu"},
		{"亮", "ryo"}, {"修", "shu"}, {"誠", "sei"}, {"英", "hide"}, {"克", "katsu"},
	}, []romanised{
		{"太", "ta"}, {"一", "ichi"}, {"介", "suke"}, {"也", "ya"}, {"樹", "ki"},
		{"輔", "suke"}, {"人", "to"}, {"郎", "ro"}, {"彦", "hiko"}, {"司", "ji"},
		{"志", "shi"}, {"之", "yuki"}, {"平", "hei"}, {"斗", "to"}, {"吾", "go"},
	})
	female := made([]romanised{
		{"美", "mi"}, {"由", "yu"}, {"恵", "e"}, {"真", "ma"}, {"明", "aki"},
		{"陽", "yo"}, {"智", "tomo"}, {"裕", "yu"}, {"久", "ku"}, {"直", "nao"},
		{"千", "chi"}, {"奈", "na"}, {"理", "ri"}, {"香", "ka"}, {"沙", "sa"},
		{"彩", "aya"}, {"麻", "ma"}, {"優", "yu"}, {"愛", "ai"}, {"友", "tomo"},
	}, []romanised{
		{"子", "ko"}, {"美", "mi"}, {"香", "ka"}, {"恵", "e"}, {"代", "yo"},
		{"穂", "ho"}, {"奈", "na"}, {"里", "ri"}, {"衣", "i"}, {"希", "ki"},
	})
	return append(male, female...)
}()

// pickGiven draws a given name: one of the classics for one person in
// five, else one of the many others.
func pickGiven(r *rand.Rand) romanised {
	if r.IntN(5) == 0 {
		return givenNames[r.IntN(len(givenNames))]
	}
	return madeGivenNames[r.IntN(len(madeGivenNames))]
}
