//go:build !linux

package typing

// writable is false off Linux: uinput, which ydotool and dotool need, exists only there.
func writable(string) bool { return false }
