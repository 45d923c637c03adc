package keyring

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Dir is the folder of key files under the data folder: one "<id>.key" file
// per key, holding the key in hex.
const Dir = "keys"

// ParseSpec reads keys written as "2:<hex>,3:<hex>" (configuration).
func ParseSpec(spec string) ([]Key, error) {
	var out []Key
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, material, ok := strings.Cut(part, ":")
		k, err := parseKey(id, material)
		if !ok || err != nil {
			return nil, fmt.Errorf("keyring: key %q: want <id>:<hex of at least %d bytes>", id, MinKeyBytes)
		}
		out = append(out, k)
	}
	return out, nil
}

func parseKey(id, material string) (Key, error) {
	n, err := strconv.Atoi(strings.TrimSpace(id))
	if err != nil || n <= SecretKeyID {
		return Key{}, fmt.Errorf("keyring: key id %q must be a number above %d", id, SecretKeyID)
	}
	b, err := hex.DecodeString(strings.TrimSpace(material))
	if err != nil || len(b) < MinKeyBytes {
		return Key{}, fmt.Errorf("keyring: key %d must be at least %d bytes of hex", n, MinKeyBytes)
	}
	return Key{ID: n, Material: b}, nil
}

// LoadDir reads the key files of dataDir/keys (none when the folder is
// missing).
func LoadDir(dataDir string) ([]Key, error) {
	dir := filepath.Join(dataDir, Dir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keyring: read %s: %w", dir, err)
	}
	var out []Key
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), ".key")
		if !ok || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("keyring: read %s: %w", e.Name(), err)
		}
		k, err := parseKey(id, string(b))
		if err != nil {
			return nil, fmt.Errorf("keyring: %s: %w", e.Name(), err)
		}
		out = append(out, k)
	}
	return out, nil
}

// Generate writes a new random key file with the next free id (above every
// id in taken) and returns the id.
func Generate(dataDir string, taken []Key) (int, error) {
	next := SecretKeyID + 1
	for _, k := range taken {
		if k.ID >= next {
			next = k.ID + 1
		}
	}
	dir := filepath.Join(dataDir, Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("keyring: create %s: %w", dir, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return 0, err
	}
	path := filepath.Join(dir, strconv.Itoa(next)+".key")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("keyring: write %s: %w", path, err)
	}
	if _, err := f.WriteString(hex.EncodeToString(raw) + "\n"); err != nil {
		_ = f.Close()
		return 0, err
	}
	return next, f.Close()
}
