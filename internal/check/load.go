package check

import (
	"context"
	"slices"
	"time"

	"github.com/misend/misend/internal/decide"
	"github.com/misend/misend/internal/detect"
	"github.com/misend/misend/internal/directory"
	"github.com/misend/misend/internal/model"
	"github.com/misend/misend/internal/policy"
	"github.com/misend/misend/internal/store"
	"github.com/misend/misend/internal/terms"
)

// Loaded is a decision path assembled from a database, with the parts
// callers that also learn or look people up need.
type Loaded struct {
	*decide.Path
	Detector *detect.Detector
	Model    *model.Model
	// Directory is the directory in force, which the path's People
	// answers from; SetDirectory replaces it.
	Directory *directory.Current
	// Terms is the checker following list changes, when asked for
	// (LoadOptions.FollowTerms); nil otherwise.
	Terms *terms.Live
}

// LoadOptions say how Load assembles the decision path.
type LoadOptions struct {
	OrgDomains []string
	Policy     *policy.Policy
	// FollowTerms, when positive, makes the term lists follow changes in
	// the database (approved terms, rules, exceptions), looked at most this
	// often; the database must then stay open while the Service is used.
	// Zero reads the lists once, as a one-shot `misend check` wants.
	FollowTerms time.Duration
	// TopicKey keys the model's subject hashes (model.Config.TopicKey):
	// the key import learned with, or threads by subject are not found.
	TopicKey []byte
}

// ModelConfig sets up the model for db: organisation domains from orgDomains
// and the directory, departments from the directory when one was imported,
// and the greeting parser that teaches it companies' names.
func ModelConfig(ctx context.Context, db *store.DB, orgDomains []string) (model.Config, *directory.Directory, error) {
	dir, err := directory.Load(ctx, db)
	if err != nil {
		return model.Config{}, nil, err
	}
	cfg := model.Config{OrgDomains: append(slices.Clone(orgDomains), dir.Domains()...), Addressed: detect.AddressedCompanies,
		Department: departments(dir)}
	return cfg, dir, nil
}

// departments is the model's department mapping from dir; nil when the
// directory lists nobody, so there is no department to look up.
func departments(dir *directory.Directory) model.DepartmentFunc {
	if len(dir.People()) == 0 {
		return nil
	}
	return dir.DepartmentOf
}

// Load builds the decision path from db: the saved model, stored weights
// (else the built-in ones), the directory for departments and the
// confidential-term lists, with o.Policy deciding verdicts.
func Load(ctx context.Context, db *store.DB, o LoadOptions) (*Loaded, error) {
	cfg, dir, err := ModelConfig(ctx, db, o.OrgDomains)
	if err != nil {
		return nil, err
	}
	cfg.TopicKey = o.TopicKey
	m, err := model.Load(ctx, db, cfg)
	if err != nil {
		return nil, err
	}
	w, err := detect.LoadWeights(ctx, db)
	if err != nil {
		return nil, err
	}
	l := &Loaded{Model: m, Directory: directory.NewCurrent(dir)}
	var content detect.ContentChecker
	if o.FollowTerms > 0 {
		ts, err := terms.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		if l.Terms, err = terms.NewLive(ctx, ts, dir, o.FollowTerms); err != nil {
			return nil, err
		}
		content = l.Terms
	} else if content, err = terms.NewChecker(ctx, db, dir); err != nil {
		return nil, err
	}
	l.Detector = &detect.Detector{Model: m, Weights: w, Content: []detect.ContentChecker{content}}
	l.Path = Path(l.Detector, o.Policy, l.Directory)
	return l, nil
}

// SetDirectory puts dir in force, after a new directory was imported while
// serving: the next message's department, the model's departments and the
// term lists' scopes follow it.
func (l *Loaded) SetDirectory(ctx context.Context, dir *directory.Directory) error {
	l.Directory.Store(dir)
	l.Model.SetDepartments(departments(dir))
	if l.Terms != nil {
		return l.Terms.SetDirectory(ctx, dir)
	}
	return nil
}
