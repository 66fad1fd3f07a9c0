//go:build !unix

package main

// cpuSeconds is unavailable here.
func cpuSeconds() float64 { return 0 }
