//go:build !bindings

package main

// generatingBindings is false in every real run; see bindings.go.
const generatingBindings = false
