package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDropColdest(t *testing.T) {
	for _, n := range []int{0, 1, 2, 5, 10} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			c := NewCache()
			for i := range n {
				c.Put(strconv.Itoa(i), make([]byte, 10))
			}
			// Entry 0, the oldest put, becomes the most recently used.
			c.Get("0")
			entries, bytes := c.DropColdest()
			assert.Equal(t, (n+1)/2, entries, "the coldest half, rounded up")
			assert.Equal(t, 10*entries, bytes)
			assert.Equal(t, n-entries, c.Len())
			assert.Equal(t, 10*(n-entries), c.Bytes())
			if n > 1 {
				_, ok := c.Get("0")
				assert.True(t, ok, "the entry just used stays")
				_, ok = c.Get("1")
				assert.False(t, ok, "the oldest unused entry goes")
			}
		})
	}
}

func TestPutReplaces(t *testing.T) {
	c := NewCache()
	c.Put("a", make([]byte, 10))
	c.Put("a", make([]byte, 4))
	assert.Equal(t, 1, c.Len())
	assert.Equal(t, 4, c.Bytes())
}
