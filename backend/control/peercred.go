package control

import "errors"

// errPeerCredUnsupported means the platform cannot tell who is on the other end of a unix socket.
var errPeerCredUnsupported = errors.New("peer credentials not supported on this platform")
