//go:build !linux && !darwin

package control

import "net"

func peerUID(*net.UnixConn) (int, error) { return 0, errPeerCredUnsupported }
