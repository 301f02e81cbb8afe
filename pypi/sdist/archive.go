package sdist

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// Limits bound what Inspect will read from an archive. A zero field means
// the DefaultLimits value for that field.
type Limits struct {
	MaxMembers    int   // entries in the archive, directories included
	MaxMemberSize int64 // uncompressed bytes of one entry
	MaxTotalSize  int64 // uncompressed bytes of the whole archive stream
}

// DefaultLimits are generous for real sdists (the largest have a few
// thousand files and tens of MiB) and small enough to stop a bomb early.
var DefaultLimits = Limits{MaxMembers: 20000, MaxMemberSize: 64 << 20, MaxTotalSize: 512 << 20}

func (l Limits) withDefaults() Limits {
	if l.MaxMembers <= 0 {
		l.MaxMembers = DefaultLimits.MaxMembers
	}
	if l.MaxMemberSize <= 0 {
		l.MaxMemberSize = DefaultLimits.MaxMemberSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultLimits.MaxTotalSize
	}
	return l
}

// ErrLimit is wrapped by every error caused by a Limits bound.
var ErrLimit = errors.New("archive exceeds a size limit")

// ErrUnsafePath is wrapped by errors about members that would land outside
// the sdist's top directory: absolute paths, ".." components, escaping links.
var ErrUnsafePath = errors.New("unsafe member path")

// member is one regular file of the archive, its path relative to the top
// directory. Data is only filled for the members Inspect asked for.
type member struct {
	path string
	data []byte
}

// tree is what Inspect learns from the archive: the top directory's name,
// every file path under it, and the contents of the wanted files.
type tree struct {
	top   string
	files []member
}

// gzipReaders keeps decompressors (a 32 KiB window each) and bufReaders
// the 64 KiB read buffers in front of them for reuse: a resolution
// inspects hundreds of sdists, and a fresh buffer each time was most of
// its allocation.
var gzipReaders, bufReaders sync.Pool

// readArchive lists the archive and reads the members want selects into
// memory. Nothing is written to disk.
func readArchive(filename string, r io.ReaderAt, size int64, lim Limits, want func(rel string) bool) (*tree, error) {
	lower := strings.ToLower(filename)
	stream, _ := bufReaders.Get().(*bufio.Reader)
	if stream == nil {
		stream = bufio.NewReaderSize(nil, 64<<10)
	}
	stream.Reset(io.NewSectionReader(r, 0, size))
	defer func() {
		stream.Reset(nil) // drop the reference to r
		bufReaders.Put(stream)
	}()
	switch {
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		if zr == nil {
			zr = new(gzip.Reader)
		}
		defer gzipReaders.Put(zr)
		if err := zr.Reset(stream); err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return readTar(zr, lim, want)
	case strings.HasSuffix(lower, ".tar.bz2"):
		return readTar(bzip2.NewReader(stream), lim, want)
	case strings.HasSuffix(lower, ".zip"):
		return readZip(r, size, lim, want)
	}
	return nil, fmt.Errorf("unsupported archive type (want .tar.gz, .tgz, .tar.bz2 or .zip)")
}

// countingReader fails once more than limit bytes came through it, which is
// what stops a decompression bomb: the tar reader pulls every byte of the
// stream through here, skipped members included.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.limit {
		return n, fmt.Errorf("%w: more than %d bytes uncompressed", ErrLimit, c.limit)
	}
	return n, err
}

// builder validates member paths and collects the tree.
type builder struct {
	lim     Limits
	want    func(rel string) bool
	t       tree
	members int
}

// add checks one entry's path and returns its path relative to the top
// directory ("" for the top directory itself).
func (b *builder) add(name string) (string, error) {
	b.members++
	if b.members > b.lim.MaxMembers {
		return "", fmt.Errorf("%w: more than %d members", ErrLimit, b.lim.MaxMembers)
	}
	clean, err := safePath(name)
	if err != nil {
		return "", err
	}
	top, rel, _ := strings.Cut(clean, "/")
	if b.t.top == "" {
		b.t.top = top
	} else if top != b.t.top {
		return "", fmt.Errorf("member %q: outside the top directory %q", name, b.t.top)
	}
	return rel, nil
}

// safePath rejects names that could escape an extraction directory, even
// though nothing is extracted: an sdist containing them is hostile or broken.
func safePath(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return "", fmt.Errorf("member %q: %w: absolute path", name, ErrUnsafePath)
	}
	for _, c := range strings.Split(n, "/") {
		if c == ".." {
			return "", fmt.Errorf("member %q: %w: \"..\" component", name, ErrUnsafePath)
		}
	}
	clean := path.Clean(n)
	clean = strings.TrimPrefix(clean, "./")
	if clean == "." || clean == "" {
		return "", fmt.Errorf("member %q: empty path", name)
	}
	return clean, nil
}

// checkLink rejects a link whose target leaves the top directory. Symlink
// targets are relative to the link's directory; hard link targets are
// archive paths.
func (b *builder) checkLink(name, rel, target string, hard bool) error {
	t := strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(t, "/") || (len(t) >= 2 && t[1] == ':') {
		return fmt.Errorf("member %q: %w: link to absolute path %q", name, ErrUnsafePath, target)
	}
	var resolved string
	if hard {
		resolved = path.Clean(t)
		top, _, _ := strings.Cut(resolved, "/")
		if top != b.t.top || strings.HasPrefix(resolved, "../") || resolved == ".." {
			return fmt.Errorf("member %q: %w: hard link to %q outside the top directory", name, ErrUnsafePath, target)
		}
		return nil
	}
	resolved = path.Join(path.Dir(rel), t)
	if resolved == ".." || strings.HasPrefix(resolved, "../") {
		return fmt.Errorf("member %q: %w: symlink to %q escapes the top directory", name, ErrUnsafePath, target)
	}
	return nil
}

func (b *builder) file(name, rel string, size int64, open func() (io.Reader, error)) error {
	if size > b.lim.MaxMemberSize {
		return fmt.Errorf("member %q: %w: %d bytes, limit %d", name, ErrLimit, size, b.lim.MaxMemberSize)
	}
	m := member{path: rel}
	if b.want(rel) {
		r, err := open()
		if err != nil {
			return fmt.Errorf("member %q: %w", name, err)
		}
		// Read one byte past the limit so a header that understates the
		// size (possible in zip) is still caught.
		data, err := io.ReadAll(io.LimitReader(r, b.lim.MaxMemberSize+1))
		if err != nil {
			return fmt.Errorf("member %q: %w", name, err)
		}
		if int64(len(data)) > b.lim.MaxMemberSize {
			return fmt.Errorf("member %q: %w: more than %d bytes", name, ErrLimit, b.lim.MaxMemberSize)
		}
		m.data = data
	}
	b.t.files = append(b.t.files, m)
	return nil
}

func readTar(r io.Reader, lim Limits, want func(string) bool) (*tree, error) {
	cr := &countingReader{r: r, limit: lim.MaxTotalSize}
	tr := tar.NewReader(cr)
	b := &builder{lim: lim, want: want}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", err)
		}
		switch h.Typeflag {
		case tar.TypeXGlobalHeader:
			continue // git archive's pax comment, not a member
		}
		rel, err := b.add(h.Name)
		if err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case tar.TypeDir:
		case tar.TypeReg, tar.TypeGNUSparse:
			if rel == "" {
				return nil, fmt.Errorf("member %q: a file where the top directory should be", h.Name)
			}
			if err := b.file(h.Name, rel, h.Size, func() (io.Reader, error) { return tr, nil }); err != nil {
				return nil, err
			}
		case tar.TypeSymlink, tar.TypeLink:
			if err := b.checkLink(h.Name, rel, h.Linkname, h.Typeflag == tar.TypeLink); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("member %q: unsupported tar entry type %q", h.Name, h.Typeflag)
		}
	}
	if b.t.top == "" {
		return nil, errors.New("empty archive")
	}
	return &b.t, nil
}

func readZip(r io.ReaderAt, size int64, lim Limits, want func(string) bool) (*tree, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	if len(zr.File) > lim.MaxMembers {
		return nil, fmt.Errorf("%w: more than %d members", ErrLimit, lim.MaxMembers)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.MaxTotalSize) {
			return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrLimit, lim.MaxTotalSize)
		}
	}
	b := &builder{lim: lim, want: want}
	for _, f := range zr.File {
		rel, err := b.add(f.Name)
		if err != nil {
			return nil, err
		}
		mode := f.Mode()
		switch {
		case mode.IsDir():
		case mode.IsRegular():
			if rel == "" {
				return nil, fmt.Errorf("member %q: a file where the top directory should be", f.Name)
			}
			size := int64(f.UncompressedSize64)
			if f.UncompressedSize64 > uint64(lim.MaxMemberSize) {
				size = lim.MaxMemberSize + 1
			}
			open := func() (io.Reader, error) { return f.Open() }
			if err := b.file(f.Name, rel, size, open); err != nil {
				return nil, err
			}
		case mode&fs.ModeSymlink != 0:
			target, err := zipLinkTarget(f)
			if err != nil {
				return nil, fmt.Errorf("member %q: %w", f.Name, err)
			}
			if err := b.checkLink(f.Name, rel, target, false); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("member %q: unsupported zip entry mode %v", f.Name, mode)
		}
	}
	if b.t.top == "" {
		return nil, errors.New("empty archive")
	}
	return &b.t, nil
}

// zipLinkTarget reads a zip symlink's target, which is stored as the
// entry's contents.
func zipLinkTarget(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	const maxTarget = 4096 // PATH_MAX; a longer target is not a real link
	target, err := io.ReadAll(io.LimitReader(rc, maxTarget+1))
	if err != nil {
		return "", err
	}
	if len(target) > maxTarget {
		return "", fmt.Errorf("symlink target longer than %d bytes", maxTarget)
	}
	return string(target), nil
}
