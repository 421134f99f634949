//go:build !linux

package secret

// The Linux keychains do not exist elsewhere; macOS Keychain and Windows Credential Manager backends are
// not wired up yet.

const keyctlPerm uint32 = 0

const notHere = "not available on this platform"

func secretServicePreflight() *unavailable {
	return &unavailable{backend: BackendSecretService, reason: notHere, absent: true}
}

func secretServiceReady() error { return nil }

func kwalletPreflight() *unavailable {
	return &unavailable{backend: BackendKWallet, reason: notHere, absent: true}
}

func keyctlPreflight() *unavailable {
	return &unavailable{backend: BackendKeyCtl, reason: notHere, absent: true}
}
