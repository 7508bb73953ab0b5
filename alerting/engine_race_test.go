package alerting

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Two AddRule calls with one ID at once: exactly one succeeds, whatever
// the interleaving, since the check and the change happen under one lock.
func TestConcurrentAddSameID(t *testing.T) {
	f := newFixture(t)
	for i := range 50 {
		id := fmt.Sprintf("api/R%d", i)
		var wg sync.WaitGroup
		var errs [2]error
		for k := range 2 {
			wg.Go(func() {
				_, errs[k] = f.eng.AddRule(context.Background(), "api", Rule{ID: id, Name: "R", Expr: fmt.Sprintf("vector(%d)", k)})
			})
		}
		wg.Wait()
		var re *RuleError
		assert.True(t, (errs[0] == nil) != (errs[1] == nil), "exactly one add of %s succeeds: %v", id, errs)
		assert.True(t, errors.As(errors.Join(errs[:]...), &re) && re.Field == "id", "the other is told the ID is taken")
	}
}

// UpdateRule racing DeleteRule: either the update came first and the rule
// is gone, or the delete came first and the update is ErrNotFound; the
// deleted rule never comes back.
func TestUpdateNeverResurrectsDeleted(t *testing.T) {
	f := newFixture(t)
	for i := range 50 {
		id := fmt.Sprintf("api/R%d", i)
		_, err := f.eng.AddRule(context.Background(), "api", Rule{ID: id, Name: "R", Expr: "vector(1)"})
		assert.NoError(t, err)
		var wg sync.WaitGroup
		var upErr, delErr error
		wg.Go(func() { _, upErr = f.eng.UpdateRule(context.Background(), id, Rule{Name: "R", Expr: "vector(2)"}) })
		wg.Go(func() { delErr = f.eng.DeleteRule(context.Background(), id) })
		wg.Wait()
		_, exists := f.eng.rule(id)
		assert.NoError(t, delErr)
		assert.False(t, exists, "deleted, whatever the order")
		if upErr != nil {
			assert.ErrorIs(t, upErr, ErrNotFound)
		}
	}
}
