//go:build godebug_updatemaxprocs

//go:debug updatemaxprocs=0

package main
