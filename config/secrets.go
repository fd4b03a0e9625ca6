package config

import (
	"errors"
	"fmt"

	"github.com/zalando/go-keyring"
)

// keychainService is the service name secrets are stored under.
const keychainService = "jamfops"

// Secret kinds stored per profile.
const (
	SecretJamf = "jamf"
	SecretJSC  = "jsc"
)

// ErrNoSecret means the keychain has no secret for the profile.
var ErrNoSecret = errors.New("no secret stored")

// KeychainError means the OS keychain could not be used at all (common on
// headless Linux without a Secret Service). jamfops never falls back to a
// file: the user must use environment variables instead.
type KeychainError struct{ Err error }

// Error implements error.
func (e *KeychainError) Error() string {
	return fmt.Sprintf("the OS keychain is not available (%v); secrets are never written to files, so set JAMF_CLIENT_SECRET (or JAMF_PASSWORD) in the environment instead", e.Err)
}

// Unwrap returns the keychain's own error.
func (e *KeychainError) Unwrap() error { return e.Err }

// Keychain stores secrets in the OS keychain through go-keyring.
type Keychain struct{}

func account(profile, kind string) string { return profile + ":" + kind }

// Get returns a profile's secret of a kind.
func (Keychain) Get(profile, kind string) (string, error) {
	s, err := keyring.Get(keychainService, account(profile, kind))
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, keyring.ErrNotFound):
		return "", ErrNoSecret
	}
	return "", &KeychainError{Err: err}
}

// Set stores a profile's secret of a kind.
func (Keychain) Set(profile, kind, secret string) error {
	if err := keyring.Set(keychainService, account(profile, kind), secret); err != nil {
		return &KeychainError{Err: err}
	}
	return nil
}

// Delete removes a profile's secret of a kind; a missing one is fine.
func (Keychain) Delete(profile, kind string) error {
	err := keyring.Delete(keychainService, account(profile, kind))
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return &KeychainError{Err: err}
}
