package college

import (
	"fmt"
	"os"
	"path/filepath"
)

// minFreeDisk is the free space below which the embedded stores (SQLite,
// local objects) are reported not ready: writes would soon fail.
const minFreeDisk = 64 << 20

// diskWritable tells whether the data directory takes a write and has room.
func diskWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".ready-*")
	if err != nil {
		return fmt.Errorf("data directory not writable: %w", err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	_ = os.Remove(name)
	if werr != nil || cerr != nil {
		return fmt.Errorf("data directory not writable: %v", firstErr(werr, cerr))
	}
	free, err := freeBytes(filepath.Clean(dir))
	if err == nil && free < minFreeDisk {
		return fmt.Errorf("data disk almost full: %d MB free", free>>20)
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
