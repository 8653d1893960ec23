package core

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// forbiddenImports are what a core that only decides must not use: locks,
// contexts, clocks, logs, I/O and the store adapters.
var forbiddenImports = []string{
	"sync", "sync/atomic", "context", "os", "net", "io", "log", "log/slog", "database/sql",
	"github.com/benbjohnson/clock",
	"github.com/switchboard-go/switchboard/store/memory",
	"github.com/switchboard-go/switchboard/store/sql",
}

// forbiddenCalls are the functions of package time that read or wait for
// the clock: time is an argument of the core.
var forbiddenCalls = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "NewTimer", "NewTicker", "Tick"}

// TestCoreIsPure: the core's files import no lock, context, clock, log or
// store adapter, read no clock, and start no goroutine, make no channel
// and send on none.
func TestCoreIsPure(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		checked++
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			require.NotContains(t, forbiddenImports, path, "%s imports %s", name, path)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: a go statement", fset.Position(n.Pos()))
			case *ast.ChanType:
				t.Errorf("%s: a channel type", fset.Position(n.Pos()))
			case *ast.SendStmt:
				t.Errorf("%s: a channel send", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" {
					for _, c := range forbiddenCalls {
						if n.Sel.Name == c {
							t.Errorf("%s: time.%s reads or waits for the clock", fset.Position(n.Pos()), c)
						}
					}
				}
			}
			return true
		})
	}
	require.NotZero(t, checked)
}
