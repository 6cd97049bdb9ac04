package web

import (
	"maps"
	"slices"
)

// CatalogueKeys lists the keys of the page texts. A page that shows one
// shows a key where its text belongs (tr falls back to the key), so
// end-to-end tests look for them in what the browser displays.
func CatalogueKeys() []string {
	return slices.Sorted(maps.Keys(messages))
}
