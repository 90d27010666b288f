package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes the module's files under dir, creating it if needed. It
// refuses a dir that exists and is not empty, unless force is set; then
// it writes over the files of the module and leaves any others as they
// are (a handler file of a tag the agent no longer calls stays). Files are
// written through an os.Root opened on dir, so that no file name, nor a
// symbolic link already in dir, leads outside it. An error names the file.
func Write(dir string, m *Module, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	case err != nil:
		return err
	case len(entries) > 0 && !force:
		return fmt.Errorf("%s is not empty (it holds %s): write the module into a new or empty directory, or pass --force to write over the files cxhook init writes", dir, entries[0].Name())
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range m.Files {
		name := filepath.FromSlash(f.Path)
		if d := filepath.Dir(name); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, d), unwrapPath(err))
			}
		}
		if err := root.WriteFile(name, f.Data, 0o644); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, name), unwrapPath(err))
		}
	}
	return nil
}

// unwrapPath drops the *fs.PathError around err, whose path the caller
// writes in full.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
