package college

import (
	"fmt"

	"college/storage/keyring"
)

// Keyring is the ring of personal-data keys: key 1 derived from the server
// secret, the keys of crypto.keys and the key files of <data_dir>/keys.
// None of them is ever stored in the database.
func (c *Config) Keyring(secret []byte) (*keyring.Ring, error) {
	keys := []keyring.Key{{ID: keyring.SecretKeyID, Material: secret}}
	fromConfig, err := keyring.ParseSpec(c.Crypto.Keys)
	if err != nil {
		return nil, fmt.Errorf("config: crypto.keys: %w", err)
	}
	fromFiles, err := keyring.LoadDir(c.DataDir)
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	for _, k := range append(fromConfig, fromFiles...) {
		if seen[k.ID] {
			return nil, fmt.Errorf("config: key %d is given twice (crypto.keys and %s)", k.ID, keyring.Dir)
		}
		seen[k.ID] = true
		keys = append(keys, k)
	}
	r, err := keyring.New(keys, c.Crypto.ActiveKey, c.Crypto.National)
	if err != nil {
		return nil, fmt.Errorf("config: crypto.active_key (COLLEGE_CRYPTO_ACTIVE_KEY): %w", err)
	}
	return r, nil
}
