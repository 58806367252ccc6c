package frame

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"
)

type trip struct {
	ID      int    `frame:"id"`
	Vendor  string `frame:"vendor"`
	Fare    float64
	Tip     *float64 `frame:"tip"`
	Small   uint8
	Paid    bool
	Pickup  time.Time
	Note    *string
	Skipped string `frame:"-"`
	private int
}

func TestFromStructsMatchesRows(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	rows := make([]trip, 1001)
	base := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		rows[i] = trip{ID: i, Vendor: fmt.Sprintf("v%d", r.Intn(5)), Fare: r.Float64() * 30,
			Small: uint8(r.Intn(256)), Paid: r.Intn(2) == 0, Pickup: base.Add(time.Duration(r.Intn(1e6)) * time.Second),
			Skipped: "x", private: i}
		if r.Intn(3) > 0 {
			v := r.Float64() * 5
			rows[i].Tip = &v
		}
		if r.Intn(2) == 0 {
			s := strings.Repeat("n", r.Intn(4))
			rows[i].Note = &s
		}
	}
	f := FromStructs(4, rows)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	if got := strings.Join(f.Columns(), ","); got != "id,vendor,Fare,tip,Small,Paid,Pickup,Note" {
		t.Fatalf("columns %s", got)
	}
	if f.NPartitions() != 4 {
		t.Fatalf("%d partitions", f.NPartitions())
	}
	tab, err := f.Compute(context.Background(), opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != len(rows) {
		t.Fatalf("%d rows", tab.NumRows())
	}
	for i, w := range rows {
		if tab.Value(i, "id") != int64(w.ID) || tab.Value(i, "vendor") != w.Vendor || tab.Value(i, "Fare") != w.Fare ||
			tab.Value(i, "Small") != int64(w.Small) || tab.Value(i, "Paid") != w.Paid || !tab.Value(i, "Pickup").(time.Time).Equal(w.Pickup) {
			t.Fatalf("row %d: got %v %v %v %v %v %v, want %+v", i, tab.Value(i, "id"), tab.Value(i, "vendor"), tab.Value(i, "Fare"),
				tab.Value(i, "Small"), tab.Value(i, "Paid"), tab.Value(i, "Pickup"), w)
		}
		if tip := tab.Value(i, "tip"); (w.Tip == nil) != (tip == nil) || (w.Tip != nil && tip != *w.Tip) {
			t.Fatalf("row %d tip %v want %v", i, tip, w.Tip)
		}
		if note := tab.Value(i, "Note"); (w.Note == nil) != (note == nil) || (w.Note != nil && note != *w.Note) {
			t.Fatalf("row %d note %v want %v", i, note, w.Note)
		}
	}
	// Nulls are skipped by aggregations, as in pandas.
	sum, err := f.Agg(Col("tip").Sum(), Col("tip").Count().Alias("n")).Compute(context.Background(), opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	var n int64
	for _, w := range rows {
		if w.Tip != nil {
			want += *w.Tip
			n++
		}
	}
	if got := sum.Value(0, "tip").(float64); got-want > 1e-9 || want-got > 1e-9 || sum.Value(0, "n") != n {
		t.Fatalf("tip sum %v n %v, want %v %d", got, sum.Value(0, "n"), want, n)
	}
}

func TestFromStructsBadInput(t *testing.T) {
	type bad struct{ M map[string]int }
	if err := FromStructs(1, []bad{{}}).Err(); err == nil || !strings.Contains(err.Error(), "field bad.M") {
		t.Fatalf("err = %v", err)
	}
	if err := FromStructs(1, []int{1}).Err(); err == nil || !strings.Contains(err.Error(), "not a struct") {
		t.Fatalf("err = %v", err)
	}
	type big struct{ U uint64 }
	if err := FromStructs(1, []big{{U: 1 << 63}}).Err(); err == nil || !strings.Contains(err.Error(), "overflows int64") {
		t.Fatalf("err = %v", err)
	}
}
