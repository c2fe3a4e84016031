//go:build godebug_containermaxprocs

//go:debug containermaxprocs=0

package main
