package api

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// The OpenAPI description covers every route served, and serves nothing
// that is not a route; every protected route documents 401 and 403; the
// error codes listed are the ones the code uses.
func TestOpenAPICoversRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Security  *[]any         `json:"security"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Properties map[string]struct {
						Enum []string `json:"enum"`
					} `json:"properties"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	served := map[string]bool{}
	for _, rt := range routes {
		key := strings.ToLower(rt.method) + " " + rt.path
		served[key] = true
		op, ok := doc.Paths[rt.path][strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s is served but not described", rt.method, rt.path)
			continue
		}
		if _, ok := op.Responses["200"]; !ok {
			if _, ok := op.Responses["201"]; !ok {
				t.Errorf("%s %s: no success response described", rt.method, rt.path)
			}
		}
		if rt.public {
			if op.Security == nil || len(*op.Security) != 0 {
				t.Errorf("%s %s is public but the description requires a token", rt.method, rt.path)
			}
			continue
		}
		for _, code := range []string{"401", "403"} {
			if _, ok := op.Responses[code]; !ok {
				t.Errorf("%s %s: %s not described", rt.method, rt.path, code)
			}
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !served[method+" "+path] {
				t.Errorf("%s %s is described but not served", strings.ToUpper(method), path)
			}
		}
	}
	codes := doc.Components.Schemas["Error"].Properties["error"].Properties["code"].Enum
	want := []string{CodeUnauthorized, CodeForbidden, CodeNotFound, CodeMethodNotAllowed, CodeBadRequest, CodeInvalidJSON,
		CodeTooLarge, CodeUnsupportedType, CodeConflict, CodeNotRecipient, CodeNotFlagged, CodeRecipientsNeeded, CodeUnavailable, CodeInternal, CodeRateLimited}
	slices.Sort(codes)
	slices.Sort(want)
	if !slices.Equal(codes, want) {
		t.Errorf("error codes described %v, used %v", codes, want)
	}
}

// The description is served without a token and is the file in the repo.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	a := e.call("", "GET", "/api/v1/openapi.json", nil)
	b, _ := os.ReadFile("openapi.json")
	if a.status != 200 || string(a.body) != string(b) {
		t.Errorf("served %d, %d bytes; file %d bytes", a.status, len(a.body), len(b))
	}
}
