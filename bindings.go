//go:build bindings

package main

// generatingBindings is true when the Wails CLI runs main() to generate the frontend bindings; then nothing
// may take locks, open the database or touch the desktop.
const generatingBindings = true
