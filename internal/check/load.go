package check

import (
	"context"
	"slices"

	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// Loaded is a Service assembled from a database, with the parts callers
// that also learn or look people up need.
type Loaded struct {
	*Service
	Model     *model.Model
	Directory *directory.Directory
}

// ModelConfig sets up the model for db: organisation domains from orgDomains
// and the directory, departments from the directory when one was imported.
func ModelConfig(ctx context.Context, db *store.DB, orgDomains []string) (model.Config, *directory.Directory, error) {
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return model.Config{}, nil, err
	}
	cfg := model.Config{OrgDomains: append(slices.Clone(orgDomains), dir.Domains()...)}
	if len(dir.People()) > 0 {
		cfg.Department = dir.DepartmentOf
	}
	return cfg, dir, nil
}

// Load builds the decision path from db: the saved model, stored weights
// (else the built-in ones), the directory for departments and the
// confidential-term lists, with pol deciding verdicts.
func Load(ctx context.Context, db *store.DB, orgDomains []string, pol *policy.Policy) (*Loaded, error) {
	cfg, dir, err := ModelConfig(ctx, db, orgDomains)
	if err != nil {
		return nil, err
	}
	m, err := model.Load(ctx, db, cfg)
	if err != nil {
		return nil, err
	}
	w, err := detect.LoadWeights(ctx, db)
	if err != nil {
		return nil, err
	}
	content, err := terms.NewChecker(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	return &Loaded{
		Service: &Service{
			Detector:    &detect.Detector{Model: m, Weights: w, Content: []detect.ContentChecker{content}},
			Policy:      pol,
			Departments: dir,
		},
		Model:     m,
		Directory: dir,
	}, nil
}
