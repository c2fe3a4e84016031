//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
)

// File types and permissions of a cpio entry's mode (stat(2)).
const (
	modeDir     = 0o040000
	modeRegular = 0o100000
	modeSymlink = 0o120000
)

// initramfs builds an image in the kernel's initramfs format: a cpio archive
// in the "newc" format, entries written in order, parents before children
// (Documentation/driver-api/early-userspace/buffer-format.rst). The kernel
// also unpacks several archives written one after the other, later entries
// replacing earlier ones, which the systemd guest uses to add its probe to
// the cached root.
type initramfs struct {
	buf  bytes.Buffer
	ino  uint32
	dirs map[string]bool
}

func newInitramfs() *initramfs {
	return &initramfs{dirs: map[string]bool{"": true, ".": true}}
}

// header writes one newc header and the NUL-terminated name, padded to four
// bytes; the data that follows is padded by the caller.
func (a *initramfs) header(name string, mode uint32, nlink int, size int) {
	a.ino++
	fmt.Fprintf(&a.buf, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		a.ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, len(name)+1, 0)
	a.buf.WriteString(name)
	a.buf.WriteByte(0)
	a.pad()
}

func (a *initramfs) pad() {
	for a.buf.Len()%4 != 0 {
		a.buf.WriteByte(0)
	}
}

// dir adds a directory and any missing parents.
func (a *initramfs) dir(name string) {
	name = strings.Trim(name, "/")
	if a.dirs[name] {
		return
	}
	a.dir(path.Dir(name))
	a.dirs[name] = true
	a.header(name, modeDir|0o755, 2, 0)
}

// file adds a regular file with permissions perm, creating its parents.
func (a *initramfs) file(name string, perm uint32, data []byte) {
	name = strings.Trim(name, "/")
	a.dir(path.Dir(name))
	a.header(name, modeRegular|perm, 1, len(data))
	a.buf.Write(data)
	a.pad()
}

// script adds an executable text file.
func (a *initramfs) script(name, text string) {
	a.file(name, 0o755, []byte(text))
}

// copy adds the host file src as name, keeping its permission bits.
func (a *initramfs) copy(name, src string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	a.file(name, uint32(info.Mode().Perm()), data)
	return nil
}

// symlink adds name pointing at target.
func (a *initramfs) symlink(name, target string) {
	name = strings.Trim(name, "/")
	a.dir(path.Dir(name))
	a.header(name, modeSymlink|0o777, 1, len(target))
	a.buf.WriteString(target)
	a.pad()
}

// bytes ends the archive with its trailer and returns it.
func (a *initramfs) bytes() []byte {
	a.header("TRAILER!!!", 0, 1, 0)
	return a.buf.Bytes()
}
