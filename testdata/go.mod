// The fixture trees are a module of their own so that they stay out of the
// truelimit module zip: one tree has a directory whose name holds ':' (a
// runtime joined a systemd cgroupsPath literally), which module zips refuse.
// Nothing here is Go code.
module github.com/truelimit/truelimit/testdata

go 1.25
