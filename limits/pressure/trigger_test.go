package pressure

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewTrigger(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name          string
		stall, window time.Duration
		privileged    bool
		line          string
		rounded       bool
	}{
		{"systemd's default", 200 * ms, 2 * time.Second, false, "some 200000 2000000", false},
		{"1s unprivileged: 2s", 150 * ms, time.Second, false, "some 150000 2000000", true},
		{"1s privileged", 150 * ms, time.Second, true, "some 150000 1000000", false},
		{"3s unprivileged: 4s", 150 * ms, 3 * time.Second, false, "some 150000 4000000", true},
		{"below the minimum", 100 * ms, 100 * ms, true, "some 100000 500000", true},
		{"above the maximum", 200 * ms, time.Minute, false, "some 200000 10000000", true},
		{"stall longer than the window", 5 * time.Second, 2 * time.Second, false, "some 2000000 2000000", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTrigger(tc.stall, tc.window, tc.privileged)
			assert.Equal(t, tc.line, tr.line())
			assert.Equal(t, tc.rounded, tr.window != tc.window, tr.how)
			if tc.rounded {
				assert.Contains(t, tr.how, "rounded from "+tc.window.String())
			}
		})
	}
}

func TestTriggerRounded(t *testing.T) {
	r, ok := newTrigger(150*time.Millisecond, time.Second, true).rounded()
	require.True(t, ok)
	assert.Equal(t, "some 150000 2000000", r.line())
	assert.Contains(t, r.how, "EINVAL")
	_, ok = r.rounded()
	assert.False(t, ok, "a multiple of 2 s is not rounded again")
}

func TestHasCapability(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		bit          uint
		want         bool
		err          bool
	}{
		{"this host's root", "CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\n", capSysResource, false, false},
		{"full root", "CapEff:\t000001ffffffffff\n", capSysResource, true, false},
		{"another bit", "CapEff:\t000001fffeffffff\n", 21, true, false},
		{"no line", "Name:\tx\n", capSysResource, false, true},
		{"garbage", "CapEff:\tzz\n", capSysResource, false, true},
		{"bit out of range", "CapEff:\tffffffffffffffff\n", 64, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := hasCapability([]byte(tc.status), tc.bit)
			assert.Equal(t, tc.err, err != nil, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzHasCapability(f *testing.F) {
	f.Add([]byte("CapEff:\t000001fffeffffff\n"), uint(24))
	f.Add([]byte("CapEff:"), uint(70))
	f.Fuzz(func(t *testing.T, status []byte, bit uint) {
		ok, err := hasCapability(status, bit)
		if err != nil && ok {
			t.Fatal("true with an error")
		}
	})
}

func TestDecodeWrite(t *testing.T) {
	b, err := decodeWrite("c29tZSAyMDAwMDAgMjAwMDAwMAA=")
	require.NoError(t, err)
	assert.Equal(t, "some 200000 2000000\x00", string(b), "systemd writes the trigger with its NUL")
	_, err = decodeWrite("not base64!")
	assert.Error(t, err)
}

func TestStalledEnough(t *testing.T) {
	s, w := 200*time.Millisecond, 2*time.Second
	assert.True(t, stalledEnough(100000, time.Second, s, w), "100 ms in 1 s is the share of 200 ms in 2 s")
	assert.False(t, stalledEnough(99999, time.Second, s, w))
	assert.False(t, stalledEnough(1, 0, s, w), "no time elapsed")
}

func TestKindAndSourceNames(t *testing.T) {
	assert.Equal(t, "oom_kill", KindOOMKill.String())
	assert.Equal(t, "low-headroom", KindLowHeadroom.String())
	assert.Equal(t, "unknown", Kind(0).String())
	assert.Equal(t, "psi-trigger|inotify", (SourceTrigger | SourceInotify).String())
	assert.Equal(t, "none", Source(0).String())
}
