package detect

// nicknames maps common English diminutives to the given name they stand
// for, so that a greeting "Hi Bob," fits a recipient known as "Robert
// Smith" rather than naming nobody. Only unambiguous forms are listed:
// "Chris", "Alex", "Sam" or "Pat" stand for more than one name. Namesake
// detection does not use it: "Bob Jones" resembling "Robert Smith" by
// given name alone would be evidence of nothing.
var nicknames = map[string]string{
	"bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bert": "robert",
	"bill": "william", "billy": "william", "will": "william", "willie": "william",
	"mike": "michael", "mikey": "michael", "mick": "michael",
	"jim": "james", "jimmy": "james", "jamie": "james",
	"joe": "joseph", "joey": "joseph",
	"tom": "thomas", "tommy": "thomas",
	"dick": "richard", "rick": "richard", "ricky": "richard", "rich": "richard", "richie": "richard",
	"dave": "david", "davy": "david",
	"dan": "daniel", "danny": "daniel",
	"tony": "anthony",
	"andy": "andrew", "drew": "andrew",
	"ben": "benjamin", "benny": "benjamin",
	"matt": "matthew",
	"nick": "nicholas", "nicky": "nicholas",
	"greg": "gregory",
	"jeff": "jeffrey",
	"ken":  "kenneth", "kenny": "kenneth",
	"larry": "lawrence",
	"ron":   "ronald", "ronnie": "ronald",
	"don": "donald", "donny": "donald",
	"ed": "edward", "eddie": "edward", "ted": "edward", "teddy": "edward",
	"charlie": "charles", "chuck": "charles",
	"harry": "henry", "hank": "henry",
	"jack": "john", "johnny": "john",
	"tim": "timothy", "timmy": "timothy",
	"phil":  "philip",
	"steve": "steven",
	"kate":  "katherine", "katie": "katherine", "kathy": "katherine", "cathy": "katherine",
	"liz": "elizabeth", "lizzie": "elizabeth", "beth": "elizabeth", "betty": "elizabeth",
	"jen": "jennifer", "jenny": "jennifer",
	"sue": "susan", "susie": "susan",
	"maggie": "margaret", "peggy": "margaret", "meg": "margaret",
	"debbie": "deborah", "deb": "deborah",
	"becky": "rebecca",
	"vicky": "victoria", "vicki": "victoria",
	"mandy": "amanda",
	"jess":  "jessica",
}

// givenNames returns toks (lower-case name tokens) with each nickname
// replaced by the given name it stands for.
func givenNames(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t
		if g, ok := nicknames[t]; ok {
			out[i] = g
		}
	}
	return out
}
