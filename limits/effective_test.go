package limits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/truelimit/truelimit/limits"
	"github.com/truelimit/truelimit/limits/internal/effective"
	"github.com/truelimit/truelimit/limits/internal/own"
)

// TestEffectiveVocabulary: the combiner's states and sources, and the
// diagnostic codes of the one reading, are the ones package limits
// publishes, which it converts without a table.
func TestEffectiveVocabulary(t *testing.T) {
	assert.Equal(t, limits.Unknown, limits.State(effective.Unknown))
	assert.Equal(t, limits.Unlimited, limits.State(effective.Unlimited))
	assert.Equal(t, limits.Limited, limits.State(effective.Limited))
	assert.Equal(t, limits.SourceHierarchicalMemoryLimit, effective.SourceHierarchicalMemoryLimit)
	assert.Equal(t, limits.SourceHierarchicalMemswLimit, effective.SourceHierarchicalMemswLimit)
	assert.Equal(t, limits.CodeBadValue, limits.Code(own.CodeBadValue))
	assert.Equal(t, limits.CodeReadError, limits.Code(own.CodeReadError))
}
