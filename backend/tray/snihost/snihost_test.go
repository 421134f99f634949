package snihost

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

var busAddr string

func TestMain(m *testing.M) {
	bus, err := StartBus()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	busAddr = bus.Address
	code := m.Run()
	bus.Close()
	os.Exit(code)
}

func ctx10(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// An item registered by path and one by bus name are both recorded (once),
// listed in RegisteredStatusNotifierItems, and dropped when their
// connection leaves; a second host cannot take the watcher name.
func TestHostRecordsRegistrations(t *testing.T) {
	h, err := Start(busAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := Start(busAddr); err == nil {
		t.Fatal("a second host owned the watcher name too")
	}

	item, err := dbus.Connect(busAddr)
	if err != nil {
		t.Fatal(err)
	}
	watcher := item.Object(watcherName, watcherPath)
	for range 2 { // the duplicate is ignored
		if err := watcher.CallWithContext(ctx10(t), watcherName+".RegisterStatusNotifierItem", 0, "/StatusNotifierItem").Err; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := item.RequestName("org.kde.StatusNotifierItem-test-1", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	if err := watcher.CallWithContext(ctx10(t), watcherName+".RegisterStatusNotifierItem", 0, "org.kde.StatusNotifierItem-test-1").Err; err != nil {
		t.Fatal(err)
	}
	first, err := h.WaitItem(ctx10(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{BusName: item.Names()[0], Path: "/StatusNotifierItem"},
		{BusName: "org.kde.StatusNotifierItem-test-1", Path: "/StatusNotifierItem"},
	}
	if first != want[0] || !slices.Equal(h.Items(), want) {
		t.Fatalf("items %v (first %v), want %v", h.Items(), first, want)
	}
	var listed []string
	v, err := watcher.GetProperty(watcherName + ".RegisteredStatusNotifierItems")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Store(&listed); err != nil || len(listed) != 2 || listed[0] != want[0].String() {
		t.Fatalf("RegisteredStatusNotifierItems %v (%v)", listed, err)
	}
	if v, err := watcher.GetProperty(watcherName + ".IsStatusNotifierHostRegistered"); err != nil || v.Value() != true {
		t.Fatalf("IsStatusNotifierHostRegistered %v (%v)", v, err)
	}

	item.Close()
	for _, it := range want {
		if err := h.WaitGone(ctx10(t), it); err != nil {
			t.Fatal(err)
		}
	}
}
