package api

import (
	_ "embed"
	"net/http"

	"github.com/misend/misend/internal/auth"
)

// openapiJSON is the API's OpenAPI 3 description, kept beside the code;
// a test holds it to the routes served.
//
//go:embed openapi.json
var openapiJSON []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	w.Write(openapiJSON)
	return nil
}
