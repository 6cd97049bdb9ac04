package config

import "testing"

// FuzzParse: any file is either a configuration or an error, never a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"db = \"m.db\"\norg_domains = [\"corp.example\"]\n[smtp]\nlisten = \"127.0.0.1:2525\"\nnetworks = [\"10.0.0.0/8\"]\n",
		"[queue]\nkeep_finished = \"72h\"\nretry_first = \"-1s\"\n",
		"[policy.default]\nbands = { warn = 0.5, hold = 0.9 }\ncodes = { CONFIDENTIAL_TERMS = \"hold\" }\n[policy.department.\"営業部\"]\nshadow = true\n",
		"[notify]\nbase_url = \"https://x\"\ndefault_lang = \"ja\"\n",
		"[smtp\nlisten = ",
		"[[smtp]]\n",
		"smtp = 3\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && c == nil {
			t.Fatal("nil config without error")
		}
	})
}
