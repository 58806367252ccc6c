// Command taxi is the seed's yellow-taxi exploration on generated trip
// records: a few months of seeded CSV files read with datetime parsing,
// then the tip fraction by passenger count, by hour and by weekday, a
// rolling mean of fares over time (a one-hour time window on the sorted
// pickup times), an hourly resample, and payment type by hour (a groupby on
// both keys: the wide pivot table is not in frame yet).
//
//	go run ./examples/taxi
package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/godask/godask/frame"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "taxi:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "godask-taxi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := gen(dir, 3, 40_000); err != nil {
		return err
	}
	df := frame.ReadCSV(filepath.Join(dir, "yellow_tripdata_*.csv"), frame.CSVOptions{ParseDates: []string{"tpep_pickup_datetime", "tpep_dropoff_datetime"}})
	if df.Err() != nil {
		return df.Err()
	}
	fmt.Println(df)
	df, err = df.WithColumn("tip_frac", frame.Col("tip_amount").Div(frame.Col("fare_amount"))).
		Filter(frame.Col("fare_amount").Gt(frame.Lit(0))).
		WithColumn("hour", frame.Col("tpep_pickup_datetime").Hour()).
		WithColumn("weekday", frame.Col("tpep_pickup_datetime").Weekday()).
		Persist(ctx)
	if err != nil {
		return err
	}
	head := func(title string, f *frame.Frame, n int) error {
		t, err := f.Head(ctx, n)
		if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		fmt.Printf("%s:\n%v\n", title, t)
		return nil
	}
	show := func(title string, f *frame.Frame) error {
		t, err := f.Compute(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", title, err)
		}
		fmt.Printf("%s:\n%v\n", title, t)
		return nil
	}
	if err := show("tip fraction by passenger count", df.GroupBy("passenger_count").Mean("tip_frac").SortValues(false, "passenger_count")); err != nil {
		return err
	}
	if err := show("tip fraction by hour", df.GroupBy("hour").Mean("tip_frac").SortValues(false, "hour")); err != nil {
		return err
	}
	if err := show("tip fraction by weekday (0 = Monday)", df.GroupBy("weekday").Mean("tip_frac").SortValues(false, "weekday")); err != nil {
		return err
	}
	// Time series: the files are one month each, in order, and each is
	// sorted by pickup time, so the frame is sorted as it stands.
	rolled := df.SelectCols("tpep_pickup_datetime", "fare_amount").
		RollingTime(time.Hour).On("tpep_pickup_datetime").Mean("fare_amount")
	if err := head("rolling one-hour mean fare, first rows", rolled, 8); err != nil {
		return err
	}
	if err := head("fares resampled by day (first days)", df.Resample(24*time.Hour).On("tpep_pickup_datetime").Mean("fare_amount", "tip_amount"), 5); err != nil {
		return err
	}
	if err := show("fare quartiles", df.Quantiles([]float64{0.25, 0.5, 0.75}, "fare_amount", "trip_distance")); err != nil {
		return err
	}
	if err := show("fare vs distance correlation", df.Corr("fare_amount", "trip_distance", "tip_amount")); err != nil {
		return err
	}
	return head("trips by payment type and hour (first rows)",
		df.GroupBy("payment_type", "hour").Size().SortValues(false, "payment_type", "hour"), 10)
}

// gen writes months CSV files of rows trips each, pickups sorted in time,
// fares from distance and duration, tips mostly by card.
func gen(dir string, months, rows int) error {
	rng := rand.New(rand.NewSource(2015))
	for m := 0; m < months; m++ {
		start := time.Date(2015, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, 1, 0)
		step := end.Sub(start) / time.Duration(rows)
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("yellow_tripdata_2015-%02d.csv", m+1)))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		w.WriteString("VendorID,tpep_pickup_datetime,tpep_dropoff_datetime,passenger_count,trip_distance,payment_type,fare_amount,tip_amount,total_amount\n")
		t := start
		for i := 0; i < rows; i++ {
			t = t.Add(time.Duration(rng.Int63n(int64(2 * step))))
			if !t.Before(end) {
				t = end.Add(-time.Second)
			}
			dist := math.Round(rng.ExpFloat64()*2.5*100) / 100
			dur := time.Duration((3 + dist*4 + rng.Float64()*10) * float64(time.Minute))
			pass := 1 + rng.Intn(6)
			if rng.Intn(5) > 0 {
				pass = 1
			}
			pay := 1 + rng.Intn(2) // 1 card, 2 cash
			fare := math.Round((2.5+dist*2.5+dur.Minutes()*0.5)*2) / 2
			tip := 0.0
			if pay == 1 {
				tip = math.Round(fare*(0.1+0.15*rng.Float64())*100) / 100
			}
			fmt.Fprintf(w, "%d,%s,%s,%d,%s,%d,%s,%s,%s\n", 1+rng.Intn(2), t.Format("2006-01-02 15:04:05"), t.Add(dur).Format("2006-01-02 15:04:05"),
				pass, strconv.FormatFloat(dist, 'f', 2, 64), pay, strconv.FormatFloat(fare, 'f', 2, 64), strconv.FormatFloat(tip, 'f', 2, 64),
				strconv.FormatFloat(fare+tip+0.5, 'f', 2, 64))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
