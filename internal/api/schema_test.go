package api

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/misend/misend/internal/finding"
	"github.com/misend/misend/internal/queue"
)

// schemaDoc is the OpenAPI description, parsed loosely for the checks
// below: enough of JSON Schema (type, properties, required, items, allOf,
// enum, $ref) to hold real answers to the description.
type schemaDoc struct {
	root map[string]any
}

func loadSchemaDoc(t *testing.T) schemaDoc {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	return schemaDoc{root}
}

func (d schemaDoc) resolve(ref string) (map[string]any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = d.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[part]
		if !ok {
			return nil, false
		}
	}
	m, ok := cur.(map[string]any)
	return m, ok
}

// check reports where v does not fit schema s.
func (d schemaDoc) check(path string, s map[string]any, v any) []string {
	if ref, ok := s["$ref"].(string); ok {
		rs, ok := d.resolve(ref)
		if !ok {
			return []string{path + ": unresolved " + ref}
		}
		return d.check(path, rs, v)
	}
	var errs []string
	if all, ok := s["allOf"].([]any); ok {
		// Every part's properties together form the object's.
		merged := map[string]any{"type": "object", "properties": map[string]any{}}
		var req []any
		for _, p := range all {
			ps := p.(map[string]any)
			if ref, ok := ps["$ref"].(string); ok {
				ps, _ = d.resolve(ref)
			}
			for k, v := range props(ps) {
				merged["properties"].(map[string]any)[k] = v
			}
			if r, ok := ps["required"].([]any); ok {
				req = append(req, r...)
			}
		}
		merged["required"] = req
		return d.check(path, merged, v)
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, v, enum))
		}
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want object", path, v))
		}
		if r, ok := s["required"].([]any); ok {
			for _, k := range r {
				if _, ok := m[k.(string)]; !ok {
					errs = append(errs, fmt.Sprintf("%s: required %s missing", path, k))
				}
			}
		}
		ps := props(s)
		extra, _ := s["additionalProperties"].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch {
			case ps[k] != nil:
				errs = append(errs, d.check(path+"."+k, ps[k].(map[string]any), m[k])...)
			case extra != nil:
				errs = append(errs, d.check(path+"."+k, extra, m[k])...)
			case len(ps) > 0:
				errs = append(errs, fmt.Sprintf("%s: %s is not described", path, k))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(errs, fmt.Sprintf("%s: %T, want array", path, v))
		}
		if it, ok := s["items"].(map[string]any); ok {
			for i, e := range a {
				errs = append(errs, d.check(fmt.Sprintf("%s[%d]", path, i), it, e)...)
			}
		}
	case "string":
		if _, ok := v.(string); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want string", path, v))
		}
	case "number", "integer":
		if _, ok := v.(float64); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want number", path, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			errs = append(errs, fmt.Sprintf("%s: %T, want boolean", path, v))
		}
	}
	return errs
}

func props(s map[string]any) map[string]any {
	p, _ := s["properties"].(map[string]any)
	return p
}

// responseSchema is the JSON schema the description gives for an answer.
func (d schemaDoc) responseSchema(t *testing.T, method, path string, status int) map[string]any {
	t.Helper()
	op, ok := d.resolve("#/paths/" + strings.ReplaceAll(path, "/", "~1") + "/" + strings.ToLower(method))
	if !ok {
		// JSON pointer escaping is not used by resolve; walk by hand.
		paths := d.root["paths"].(map[string]any)
		op = paths[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	}
	r, ok := op["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: no %d response described", method, path, status)
	}
	if ref, ok := r["$ref"].(string); ok {
		r, _ = d.resolve(ref)
	}
	s, ok := r["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s %d: no JSON schema", method, path, status)
	}
	return s
}

// Every $ref in the description resolves.
func TestOpenAPIRefsResolve(t *testing.T) {
	d := loadSchemaDoc(t)
	var walk func(string, any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "$ref" {
					if _, ok := d.resolve(e.(string)); !ok {
						t.Errorf("%s: %v does not resolve", at, e)
					}
					continue
				}
				walk(at+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", at, i), e)
			}
		}
	}
	walk("", d.root)
}

// Real answers of the API fit the schemas the description gives them, so
// the description cannot drift from the code unnoticed.
func TestAnswersFitDescription(t *testing.T) {
	d := loadSchemaDoc(t)
	e := newEnv(t)
	id := e.hold(queue.Held, "tanaka@partner-b.example", "suzuki@partner-a.example")
	e.call("boss@corp.example", "POST", "/api/v1/check", Draft{To: []string{"x@partner-z.example"}, Body: secretTerm})
	for _, tc := range []struct {
		who, method, path, spec string
		body                    any
		status                  int
	}{
		{"sato@corp.example", "GET", "/api/v1/me", "/api/v1/me", nil, 200},
		{"boss@corp.example", "GET", "/api/v1/me", "/api/v1/me", nil, 200},
		{"sato@corp.example", "POST", "/api/v1/check", "/api/v1/check", Draft{To: []string{"tanaka@partner-b.example"}, Subject: "s", Body: secretTerm, Attachments: []string{"a.pdf"}}, 200},
		{"ope@corp.example", "POST", "/api/v1/check?view=operator", "/api/v1/check", Draft{To: []string{"x@partner-z.example"}, Body: secretTerm}, 200},
		{"sato@corp.example", "GET", "/api/v1/held", "/api/v1/held", nil, 200},
		{"boss@corp.example", "GET", "/api/v1/held?scope=department", "/api/v1/held", nil, 200},
		{"boss@corp.example", "GET", "/api/v1/held/" + id, "/api/v1/held/{id}", nil, 200},
		{"ope@corp.example", "GET", "/api/v1/decisions", "/api/v1/decisions", nil, 200},
		{"sato@corp.example", "GET", "/api/v1/decisions", "/api/v1/decisions", nil, 200},
		{"boss@corp.example", "GET", "/api/v1/reports", "/api/v1/reports", nil, 200},
		{"sato@corp.example", "POST", "/api/v1/feedback", "/api/v1/feedback", FeedbackReq{MessageID: "m@x", Kind: "reported", Codes: []finding.Code{finding.NewDomain}}, 201},
		{"boss@corp.example", "POST", "/api/v1/held/" + id + "/reject", "/api/v1/held/{id}/reject", map[string]any{"comment": "no"}, 200},
		{"", "GET", "/api/v1/me", "/api/v1/me", nil, 401},
		{"sato@corp.example", "GET", "/api/v1/reports", "/api/v1/reports", nil, 403},
		{"sato@corp.example", "GET", "/api/v1/held/nope", "/api/v1/held/{id}", nil, 404},
		{"sato@corp.example", "POST", "/api/v1/check", "/api/v1/check", "{", 400},
	} {
		a := e.call(tc.who, tc.method, tc.path, tc.body)
		if a.status != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, a.status, a.body, tc.status)
			continue
		}
		var v any
		if err := json.Unmarshal(a.body, &v); err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		for _, msg := range d.check("$", d.responseSchema(t, tc.method, tc.spec, tc.status), v) {
			t.Errorf("%s %s as %s: %s", tc.method, tc.path, tc.who, msg)
		}
	}
}
