//go:build !unix

package main

// freeWithMadvFree does nothing where the runtime has no MADV_FREE setting.
func freeWithMadvFree() {}
