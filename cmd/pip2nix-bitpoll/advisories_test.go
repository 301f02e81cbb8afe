package main

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pip2nix-bitpoll/pip2nix-bitpoll/pypi/index"
)

// TestLoadAdvisoriesHTTP fetches an OSV zip export over HTTP with the
// index client (the zip holds a real PyPA advisory).
func TestLoadAdvisoriesHTTP(t *testing.T) {
	yaml, err := os.ReadFile("../../pypi/osv/testdata/advisory-db/vulns/django/PYSEC-2024-56.yaml")
	require.NoError(t, err)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("PYSEC-2024-56.yaml")
	require.NoError(t, err)
	_, err = w.Write(yaml)
	require.NoError(t, err)
	require.NoError(t, zw.Close())

	mux := http.NewServeMux()
	mux.HandleFunc("/PyPI/all.zip", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(buf.Bytes()) })
	mux.HandleFunc("/broken.zip", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("not a zip")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client, err := index.New(index.Options{BaseURL: srv.URL, Retries: -1})
	require.NoError(t, err)
	e := &env{workDir: t.TempDir()}

	db, err := loadAdvisories(context.Background(), e, client, srv.URL+"/PyPI/all.zip")
	require.NoError(t, err)
	assert.Equal(t, 1, db.Len())
	assert.Len(t, db.Affecting("django", "5.0.6"), 1)

	_, err = loadAdvisories(context.Background(), e, client, srv.URL+"/missing.zip")
	assert.Equal(t, exitIndex, exitCode(err), "%v", err)
	assert.ErrorContains(t, err, "--advisories: GET "+srv.URL+"/missing.zip: 404 Not Found")

	_, err = loadAdvisories(context.Background(), e, client, srv.URL+"/broken.zip")
	assert.Equal(t, exitInput, exitCode(err))
	assert.ErrorContains(t, err, "broken.zip: not a zip archive")

	db, err = loadAdvisories(context.Background(), e, client, "")
	assert.NoError(t, err)
	assert.Nil(t, db)
}

func TestDescribeAdvisories(t *testing.T) {
	tests := map[string]string{
		"": "",
		"recorded/pypa-advisory-database-2024-10-10/": "pypa-advisory-database-2024-10-10",
		"/srv/advisory-database":                      "advisory-database",
		"https://example.org/PyPI/all.zip":            "https://example.org/PyPI/all.zip",
	}
	for in, want := range tests {
		assert.Equal(t, want, describeAdvisories(in), in)
	}
}
