package main

import (
	"slices"
	"sync"
)

// Cache is an in-memory cache that knows which entries were used least
// recently, so that it can drop its coldest part when memory gets tight.
// It is safe for concurrent use.
type Cache struct {
	mu      sync.Mutex
	entries map[string]*entry
	clock   uint64
	bytes   int
}

type entry struct {
	value []byte
	used  uint64 // the clock at the last Put or Get
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: map[string]*entry{}} }

// Put stores value under key.
func (c *Cache) Put(key string, value []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.value)
	}
	c.entries[key] = &entry{value: value, used: c.clock}
	c.bytes += len(value)
}

// Get returns the value under key and marks it used.
func (c *Cache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	c.clock++
	e.used = c.clock
	return e.value, true
}

// DropColdest removes the least recently used half of the entries (rounded
// up) and returns how many entries and bytes it removed.
func (c *Cache) DropColdest() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	uses := make([]uint64, 0, len(c.entries))
	for _, e := range c.entries {
		uses = append(uses, e.used)
	}
	if len(uses) == 0 {
		return 0, 0
	}
	slices.Sort(uses)
	cut := uses[(len(uses)-1)/2] // the newest of the coldest half
	for k, e := range c.entries {
		if e.used <= cut {
			delete(c.entries, k)
			entries++
			bytes += len(e.value)
		}
	}
	c.bytes -= bytes
	return entries, bytes
}

// Len and Bytes are the number of entries and the bytes of their values.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *Cache) Bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}
