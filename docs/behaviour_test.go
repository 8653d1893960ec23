package docs_test

// These tests keep docs/behaviour.md and the code in step: every behaviour
// or invariant the code cites, in a comment or in a test's name, must be
// defined in the catalogue.

import (
	"cmp"
	"fmt"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	catalogue = "behaviour.md"
	repoRoot  = ".."
	// self is this file, whose comments show the forms it looks for
	// rather than cite anything.
	self = "docs/behaviour_test.go"
)

var (
	// behaviourID is a behaviour of the families R, P, L, D and S, or an
	// invariant in its I form, as a whole word.
	behaviourID = regexp.MustCompile(`\b[RPLDSI][0-9]{1,2}\b`)
	// idRange is a range of one family, "D1–D3" or "P1-P4": every ID in
	// it is cited.
	idRange = regexp.MustCompile(`\b([RPLDSI])([0-9]{1,2})\s*(?:-|–|—|\.\.)\s*([RPLDSI])([0-9]{1,2})\b`)
	// invariantRef is "invariant 5", "Invariant 2", "invariants 2 and 4"
	// or "invariants 1, 2 and 4".
	invariantRef = regexp.MustCompile(`(?i)\binvariants?\s+([0-9]{1,2}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)[0-9]{1,2})*)\b`)
	number       = regexp.MustCompile(`[0-9]{1,2}`)
	// testName is a test, benchmark, fuzz test or example named after
	// what it proves: TestR2_..., TestInvariant5_...
	testName = regexp.MustCompile(`^(?:Test|Benchmark|Fuzz|Example)([RPLDSI][0-9]{1,2}|Invariant[0-9]{1,2})(?:_|$)`)

	// definedRow is a catalogue table row: "| R2 | ...".
	definedRow = regexp.MustCompile(`(?m)^\|\s*([RPLDSI][0-9]{1,2})\s*\|`)
	// definedHeading is an invariant heading: "### I7 ...".
	definedHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(I[0-9]{1,2})\b`)
)

// citation is one ID cited at one place in the code.
type citation struct {
	id   string // R2, I7, ...
	file string // relative to the repository root
	line int
}

func (c citation) String() string { return fmt.Sprintf("%s:%d: %s", c.file, c.line, c.id) }

// defined returns the IDs docs/behaviour.md defines, each once.
func defined(t *testing.T) map[string]bool {
	t.Helper()
	text, err := os.ReadFile(catalogue)
	require.NoError(t, err)
	ids := map[string]bool{}
	for _, re := range []*regexp.Regexp{definedRow, definedHeading} {
		for _, m := range re.FindAllStringSubmatch(string(text), -1) {
			require.False(t, ids[m[1]], "%s defines %s twice", catalogue, m[1])
			ids[m[1]] = true
		}
	}
	return ids
}

// citations returns every ID cited in the repository's .go files.
func citations(t *testing.T) []citation {
	t.Helper()
	var cites []citation
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != repoRoot && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		if rel = filepath.ToSlash(rel); rel == self {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cites = append(cites, citedIn(rel, src)...)
		return nil
	})
	require.NoError(t, err)
	return cites
}

// citedIn returns the IDs cited in one Go source file: in its comments, and
// in the names of the functions it declares.
func citedIn(name string, src []byte) []citation {
	file := token.NewFileSet().AddFile(name, -1, len(src))
	var s scanner.Scanner
	// Errors are of no concern here: the compiler reports them.
	s.Init(file, src, func(token.Position, string) {}, scanner.ScanComments)

	var cites []citation
	var group []string // consecutive comment lines, markers stripped
	groupLine, lastLine := 0, -1
	flush := func() {
		if len(group) > 0 {
			cites = append(cites, citedInComment(name, groupLine, strings.Join(group, "\n"))...)
		}
		group = nil
	}
	afterFunc := false
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok != token.COMMENT {
			if afterFunc && tok == token.IDENT {
				if m := testName.FindStringSubmatch(lit); m != nil {
					cites = append(cites, citation{id: normalise(m[1]), file: name, line: file.Line(pos)})
				}
			}
			afterFunc = tok == token.FUNC
			continue
		}
		line := file.Line(pos)
		if line != lastLine+1 && line != lastLine {
			flush()
		}
		if len(group) == 0 {
			groupLine = line
		}
		text := strings.TrimPrefix(lit, "//")
		if strings.HasPrefix(lit, "/*") {
			text = strings.TrimSuffix(strings.TrimPrefix(lit, "/*"), "*/")
		}
		// Keep one entry per source line, so offsets map back to lines.
		group = append(group, text)
		lastLine = line + strings.Count(lit, "\n")
	}
	flush()
	return cites
}

// citedInComment returns the IDs cited in the text of a comment group whose
// first line is line first of file name.
func citedInComment(name string, first int, text string) []citation {
	// Every form has a digit, and most comments have none: the regular
	// expressions are the slow part of the walk, so skip those.
	if !strings.ContainsAny(text, "0123456789") {
		return nil
	}
	var cites []citation
	at := func(offset int) int { return first + strings.Count(text[:offset], "\n") }
	words := behaviourID.FindAllStringIndex(text, -1)
	for _, m := range words {
		cites = append(cites, citation{id: text[m[0]:m[1]], file: name, line: at(m[0])})
	}
	if len(words) >= 2 { // a range has both ends among the words
		for _, m := range idRange.FindAllStringSubmatchIndex(text, -1) {
			family, other := text[m[2]:m[3]], text[m[6]:m[7]]
			if family != other {
				continue
			}
			lo, _ := strconv.Atoi(text[m[4]:m[5]])
			hi, _ := strconv.Atoi(text[m[8]:m[9]])
			for n := lo + 1; n < hi; n++ { // the ends are among the words
				cites = append(cites, citation{id: family + strconv.Itoa(n), file: name, line: at(m[0])})
			}
		}
	}
	if strings.Contains(strings.ToLower(text), "invariant") {
		for _, m := range invariantRef.FindAllStringSubmatchIndex(text, -1) {
			list := text[m[2]:m[3]]
			for _, n := range number.FindAllStringIndex(list, -1) {
				cites = append(cites, citation{id: "I" + list[n[0]:n[1]], file: name, line: at(m[2] + n[0])})
			}
		}
	}
	return cites
}

// byID orders IDs by family, then by number: R2 before R10.
func byID(a, b string) int {
	fa, na := idParts(a)
	fb, nb := idParts(b)
	return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(na, nb))
}

// idParts splits "R10=3" or "R10" into "R" and 10.
func idParts(s string) (string, int) {
	s, _, _ = strings.Cut(s, "=")
	n, _ := strconv.Atoi(s[1:])
	return s[:1], n
}

// normalise turns a test name's "Invariant5" into "I5".
func normalise(id string) string {
	if n, ok := strings.CutPrefix(id, "Invariant"); ok {
		return "I" + n
	}
	return id
}

func TestCitedIDsAreDefined(t *testing.T) {
	ids := defined(t)
	cites := citations(t)
	require.NotEmpty(t, cites, "no citations found: is the walk rooted at the repository?")

	var missing []string
	cited := map[string]int{}
	for _, c := range cites {
		cited[c.id]++
		if !ids[c.id] {
			missing = append(missing, c.String())
		}
	}
	if len(missing) > 0 {
		t.Fatalf("IDs cited in the code but not defined in docs/%s:\n%s", catalogue, strings.Join(missing, "\n"))
	}

	var found, uncited []string
	for id := range ids {
		if cited[id] == 0 {
			uncited = append(uncited, id)
		} else {
			found = append(found, fmt.Sprintf("%s=%d", id, cited[id]))
		}
	}
	slices.SortFunc(found, byID)
	slices.SortFunc(uncited, byID)
	t.Logf("cited: %s", strings.Join(found, " "))
	if len(uncited) > 0 {
		t.Logf("defined but cited nowhere in the code: %s", strings.Join(uncited, " "))
	}
}

func TestCatalogueSaysNoSeed(t *testing.T) {
	text, err := os.ReadFile(catalogue)
	require.NoError(t, err)
	for i, line := range strings.Split(string(text), "\n") {
		require.NotContains(t, strings.ToLower(line), "seed", "%s:%d", catalogue, i+1)
	}
}

// The scanner finds citations in comments, in every form the code uses,
// and nowhere else.
func TestCitedIn(t *testing.T) {
	src := `package p

// A is balanced (SPEC R2, R3) and capped; see
// invariants 2 and
// 4, and SPEC invariant 7. Rules, D1–D3, are planned.
func TestR9_Sticky(t *testing.T) {
	s := "R1 in a string is no citation"
	_ = s /* L1/S3 */
}

func TestInvariant5_Order() {}

func TestR99Something() {} // R2's tie

// Invariants 1, 3 and 6; S10 is a word, S100 and R2x are not.
`
	var got []string
	for _, c := range citedIn("p.go", []byte(src)) {
		got = append(got, fmt.Sprintf("%d:%s", c.line, c.id))
	}
	slices.Sort(got)
	want := []string{
		"11:I5",
		"13:R2",
		"3:R2", "3:R3",
		"4:I2",
		"5:D1", "5:D2", "5:D3", "5:I4", "5:I7",
		"6:R9",
		"8:L1", "8:S3",
		"15:I1", "15:I3", "15:I6", "15:S10",
	}
	slices.Sort(want)
	require.Equal(t, want, got)
}
