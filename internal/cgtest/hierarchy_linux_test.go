//go:build linux

package cgtest

import (
	"strings"
	"testing"
)

const hybridMountinfo = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 30 0:35 / /sys/fs/cgroup/pids ro,relatime - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`

const hybridCgroup = `9:name=systemd:/
8:pids:/
4:memory:/process_api/abc
3:cpuset:/
1:cpu:/
0::/
`

func TestLocateV1(t *testing.T) {
	cases := []struct {
		name       string
		controller string
		mountinfo  string
		cgroup     string
		wantDir    string
		wantPath   string
		wantErr    string
	}{
		{
			name: "non-root memory path", controller: "memory",
			mountinfo: hybridMountinfo, cgroup: hybridCgroup,
			wantDir: "/sys/fs/cgroup/memory/process_api/abc", wantPath: "/process_api/abc",
		},
		{
			name: "root cpu path", controller: "cpu",
			mountinfo: hybridMountinfo, cgroup: hybridCgroup,
			wantDir: "/sys/fs/cgroup/cpu", wantPath: "/",
		},
		{
			name: "co-mounted cpu,cpuacct with a container mount root stripped", controller: "cpuacct",
			mountinfo: "50 40 0:44 /docker/x /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n",
			cgroup:    "3:cpu,cpuacct:/docker/x/sub\n",
			wantDir:   "/sys/fs/cgroup/cpu,cpuacct/sub", wantPath: "/docker/x/sub",
		},
		{
			name: "escaped mount point", controller: "memory",
			mountinfo: `34 30 0:31 / /mnt/cg\040mem rw - cgroup cgroup rw,memory` + "\n",
			cgroup:    "4:memory:/a\n",
			wantDir:   "/mnt/cg mem/a", wantPath: "/a",
		},
		{
			name: "read-only mount", controller: "pids",
			mountinfo: hybridMountinfo, cgroup: hybridCgroup,
			wantErr: "read-only",
		},
		{
			name: "v2 only", controller: "memory",
			mountinfo: "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", cgroup: "0::/user.slice\n",
			wantErr: "no v1 line",
		},
		{
			name: "controller on cgroup2 in a hybrid", controller: "memory",
			mountinfo: "40 30 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
			cgroup:    "4:memory:/a\n0::/\n",
			wantErr:   "only cgroup2",
		},
		{
			name: "named hierarchy is not a controller", controller: "systemd",
			mountinfo: hybridMountinfo, cgroup: hybridCgroup,
			wantErr: "no v1 line",
		},
		{
			name: "path outside the mount root", controller: "memory",
			mountinfo: "34 30 0:31 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			cgroup:    "4:memory:/docker/xy\n",
			wantErr:   "outside",
		},
		{
			name: "mount outside the cgroup namespace", controller: "memory",
			mountinfo: "34 30 0:31 /.. /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			cgroup:    "4:memory:/../a\n",
			wantErr:   "outside",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := locateV1(tc.controller, []byte(tc.mountinfo), []byte(tc.cgroup))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("locateV1 error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("locateV1: %v", err)
			}
			if h.ownDir() != tc.wantDir || h.ownPath != tc.wantPath {
				t.Errorf("dir, path = %q, %q; want %q, %q", h.ownDir(), h.ownPath, tc.wantDir, tc.wantPath)
			}
		})
	}
}

func TestLocateUnified(t *testing.T) {
	cases := []struct {
		name      string
		mountinfo string
		cgroup    string
		wantDir   string
		wantPath  string
		wantErr   string
	}{
		{
			name:      "hybrid, at the root",
			mountinfo: hybridMountinfo, cgroup: hybridCgroup,
			wantDir: "/sys/fs/cgroup/unified", wantPath: "/",
		},
		{
			name:      "v2 session scope",
			mountinfo: "40 30 0:37 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			cgroup:    "0::/user.slice/user-1000.slice/session-1.scope\n",
			wantDir:   "/sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope", wantPath: "/user.slice/user-1000.slice/session-1.scope",
		},
		{
			name:      "container mount root stripped",
			mountinfo: "40 30 0:37 /docker/x /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			cgroup:    "0::/docker/x/sub\n",
			wantDir:   "/sys/fs/cgroup/sub", wantPath: "/docker/x/sub",
		},
		{
			name:      "read-only",
			mountinfo: "40 30 0:37 / /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n", cgroup: "0::/a\n",
			wantErr: "read-only",
		},
		{name: "no cgroup2 mount", mountinfo: "34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
			cgroup: "4:memory:/a\n0::/\n", wantErr: "no cgroup2 mount"},
		{name: "no 0:: line", mountinfo: hybridMountinfo, cgroup: "4:memory:/a\n", wantErr: "no 0:: line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := locateUnified([]byte(tc.mountinfo), []byte(tc.cgroup))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("locateUnified error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("locateUnified: %v", err)
			}
			if h.ownDir() != tc.wantDir || h.ownPath != tc.wantPath {
				t.Errorf("dir, path = %q, %q; want %q, %q", h.ownDir(), h.ownPath, tc.wantDir, tc.wantPath)
			}
		})
	}
}

func TestExactRunPattern(t *testing.T) {
	cases := map[string]string{
		"TestA":             "^TestA$",
		"TestA/sub_case":    "^TestA$/^sub_case$",
		"TestA/with.dot(1)": `^TestA$/^with\.dot\(1\)$`,
	}
	for in, want := range cases {
		if got := exactRunPattern(in); got != want {
			t.Errorf("exactRunPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
