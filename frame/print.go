package frame

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"
)

// Printing tables like pandas: at most printRows rows (the first and last 5
// of a longer table) and printCols columns (the first and last half of a
// wider one, a "..." column between), cells cut at 40 characters, columns
// aligned by display width (East Asian wide characters take two cells,
// combining marks none).
const (
	printRows = 20
	printCols = 20
	cellMax   = 40
)

// String prints the table like pandas: a header, an index column (the
// rows' positions; a Slice or Tail keeps the original ones), right aligned
// cells; long tables show their first and last 5 rows, wide ones their
// first and last 10 columns.
// printRecord returns a record holding the shown rows (row numbers of t,
// -1 for the "..." line) and each shown row's position in it (-1 for
// "..."): t's own record, or for a chunked table a copy of the shown rows
// only.
func (t *Table) printRecord(rows []int) (arrow.Record, []int) {
	pos := make([]int, len(rows))
	if t.parts == nil {
		copy(pos, rows)
		return t.rec, pos
	}
	var recs []arrow.Record
	k := 0
	for x, i := range rows {
		if i < 0 {
			pos[x] = -1
			continue
		}
		r, at := t.at(i)
		recs = append(recs, r.NewSlice(int64(at), int64(at+1)))
		pos[x] = k
		k++
	}
	rec, err := concatRecords(t.Schema(), recs)
	if err != nil { // chunksConcatenate admitted only what joins
		panic(fmt.Sprintf("frame: Table.String: %v", err))
	}
	return rec, pos
}

func (t *Table) String() string {
	n := t.NumRows()
	rows := make([]int, 0, n)
	if n <= printRows {
		for i := 0; i < n; i++ {
			rows = append(rows, i)
		}
	} else {
		for i := 0; i < 5; i++ {
			rows = append(rows, i)
		}
		rows = append(rows, -1)
		for i := n - 5; i < n; i++ {
			rows = append(rows, i)
		}
	}
	rec, pos := t.printRecord(rows)
	ncol := int(rec.NumCols())
	// The columns shown: all, or the first and last half with -1 for "...".
	var show []int
	if ncol <= printCols {
		for j := 0; j < ncol; j++ {
			show = append(show, j)
		}
	} else {
		for j := 0; j < printCols/2; j++ {
			show = append(show, j)
		}
		show = append(show, -1)
		for j := ncol - printCols/2; j < ncol; j++ {
			show = append(show, j)
		}
	}
	names := t.Columns()
	grid := make([][]string, len(rows)+1)
	head := []string{""}
	for _, j := range show {
		if j < 0 {
			head = append(head, "...")
		} else {
			head = append(head, names[j])
		}
	}
	grid[0] = head
	cols := make([]col, ncol)
	dec := make([]int, ncol)
	for _, j := range show {
		if j < 0 {
			continue
		}
		cols[j] = colOf(rec.Column(j))
		// Floats of a column share one number of decimals, as pandas
		// prints them: the fewest (1 to 6) that show every printed value
		// as exactly as 6 decimals would.
		if cols[j].k == kFloat {
			dec[j] = floatDecimals(&cols[j], pos)
		}
	}
	tl := timeLayouts(cols, pos)
	for r, i := range rows {
		p := pos[r]
		line := make([]string, len(show)+1)
		if i < 0 {
			for j := range line {
				line[j] = "..."
			}
		} else {
			line[0] = strconv.Itoa(t.start + i)
			for x, j := range show {
				if j < 0 {
					line[x+1] = "..."
					continue
				}
				s := cell(&cols[j], p)
				if dec[j] > 0 && !cols[j].null(p) {
					s = formatFloatDec(cols[j].f64[p], dec[j])
				}
				if tl[j] != "" && !cols[j].null(p) {
					s = cols[j].timeAt(p).Format(zonedLayout(&cols[j], tl[j])) // tz_type.go
				}
				line[x+1] = cutWidth(s, cellMax)
			}
		}
		grid[r+1] = line
	}
	width := make([]int, len(show)+1)
	for _, line := range grid {
		for j, s := range line {
			width[j] = max(width[j], displayWidth(s))
		}
	}
	var b strings.Builder
	for r, line := range grid {
		for j, s := range line {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[j]-displayWidth(s))
			if j == 0 && r > 0 {
				b.WriteString(s)
				b.WriteString(pad)
			} else {
				b.WriteString(pad)
				b.WriteString(s)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n[%d rows x %d columns]", n, ncol)
	return b.String()
}

// cutWidth cuts s to at most w display cells, ending it with "..." when cut.
func cutWidth(s string, w int) string {
	if displayWidth(s) <= w {
		return s
	}
	used := 0
	for i, r := range s {
		rw := runeWidth(r)
		if used+rw > w-3 {
			return s[:i] + "..."
		}
		used += rw
	}
	return s
}

// displayWidth is the number of terminal cells s takes.
func displayWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			w++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		w += runeWidth(r)
		i += size
	}
	return w
}

// wideRanges are the East Asian Wide and Fullwidth blocks (Unicode
// EastAsianWidth W and F, merged into blocks) and the emoji blocks
// terminals draw two cells wide.
var wideRanges = [][2]rune{
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
	{0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x26AA, 0x26AB},
	{0x2705, 0x2705}, {0x270A, 0x270B}, {0x2728, 0x2728}, {0x274C, 0x274C},
	{0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
	{0xA000, 0xA4CF}, {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
	{0xFE10, 0xFE19}, {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6},
	{0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF},
	{0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
	{0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
	{0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF},
	{0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
}

// runeWidth is the number of terminal cells r takes: 0 for combining marks
// and format characters, 2 for East Asian wide ones, else 1.
func runeWidth(r rune) int {
	if r < 0x300 {
		return 1
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	lo, hi := 0, len(wideRanges)
	for lo < hi {
		m := (lo + hi) / 2
		switch {
		case r < wideRanges[m][0]:
			hi = m
		case r > wideRanges[m][1]:
			lo = m + 1
		default:
			return 2
		}
	}
	return 1
}
