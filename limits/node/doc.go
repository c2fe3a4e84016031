// Package node computes the effective limits of every cgroup under a root in
// one pass, for node agents that size or watch all the containers of a host
// (every pod on a Kubernetes node, every unit of a systemd host).
//
// limits.ForCgroup answers for one cgroup by walking from it up to the top
// visible cgroup, so asking it about N containers reads the pod and QoS
// levels above them N times. Scan walks the hierarchy top-down instead: it
// reads each cgroup's own interface files exactly once and derives the
// effective value of a cgroup from its own value and its parent's effective
// one (a cgroup's usage is bounded by every ancestor's limits:
// Documentation/admin-guide/cgroup-v2.rst, "Top-down Constraint"). The
// answers are those ForCgroup gives for each cgroup, value, state, source
// and scope; the tests check that on generated and captured trees.
//
// WithProcessViews adds what the process of each leaf cgroup can see: the
// limits set above the top of its own cgroup mount (a private cgroup
// namespace) bind it, but it cannot read them. WithUsage adds each cgroup's
// memory usage and its headroom, how much more it may use before a hard
// limit of it or an ancestor binds, computed top-down as well.
package node
