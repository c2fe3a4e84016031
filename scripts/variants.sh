# Sourced by importcost.sh and startup.sh: writes, in a temporary module
# $work whose go.mod replaces truelimit with the repository $repo, the
# hello-world variants listed in $variants (hello, and hello with the blank
# import of limits/auto, of automaxprocs, of automemlimit, of both; slog and
# slog with limits/auto), and builds each into $work/bin. The caller sets
# $repo; $work is removed on exit.
# The variants reach the repo through a link at a path of fixed length: the
# debug information records each source file's path, so a checkout whose
# path is one byte longer would add about five bytes to a binary.
work=$(mktemp -d /tmp/importcost.XXXXXXXX)
trap 'rm -rf "$work"' EXIT
ln -s "$repo" "$work/repo"
variant() { # name, imports, body
  mkdir -p "$work/$1"
  cat > "$work/$1/main.go" <<GO
package main

import (
$2
)

func main() {
$3
}
GO
}
variant hello '	"fmt"' '	fmt.Println("hello")'
variant hello-truelimit '	"fmt"
	_ "github.com/truelimit/truelimit/limits/auto"' '	fmt.Println("hello")'
variant hello-automaxprocs '	"fmt"
	_ "go.uber.org/automaxprocs"' '	fmt.Println("hello")'
variant hello-automemlimit '	"fmt"
	_ "github.com/KimMachineGun/automemlimit"' '	fmt.Println("hello")'
variant hello-automem-maxprocs '	"fmt"
	_ "github.com/KimMachineGun/automemlimit"
	_ "go.uber.org/automaxprocs"' '	fmt.Println("hello")'
variant slog '	"log/slog"' '	slog.Info("hello")'
variant slog-truelimit '	"log/slog"
	_ "github.com/truelimit/truelimit/limits/auto"' '	slog.Info("hello")'

cd "$work"
cat > go.mod <<MOD
module importcost

go 1.25

replace github.com/truelimit/truelimit => $work/repo
MOD
go mod edit -require=github.com/truelimit/truelimit@v0.0.0-00010101000000-000000000000
GOFLAGS=-mod=mod go get go.uber.org/automaxprocs@v1.6.0 github.com/KimMachineGun/automemlimit@v1.0.1 >/dev/null 2>&1
GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1

variants="hello hello-truelimit hello-automaxprocs hello-automemlimit hello-automem-maxprocs slog slog-truelimit"
mkdir -p bin
for v in $variants; do
  go build -o "bin/$v" "./$v"
  go build -ldflags=-w -o "bin/$v.w" "./$v"
done
