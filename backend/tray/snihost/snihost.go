// Package snihost is a StatusNotifier host for tests: it owns
// org.kde.StatusNotifierWatcher on a session bus, records the items that
// register, reads their com.canonical.dbusmenu layout and clicks entries, the
// way a desktop panel (KDE, the GNOME AppIndicator extension, xfce4-panel)
// would. Tests of the tray and of the whole app share it.
package snihost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	defaultItem  = "/StatusNotifierItem"
	propsIface   = "org.freedesktop.DBus.Properties"
	busName      = "org.freedesktop.DBus"
	busPath      = "/org/freedesktop/DBus"
	nameChangeSg = "org.freedesktop.DBus.NameOwnerChanged"
)

// Item is a registered StatusNotifierItem: where its object lives.
type Item struct {
	BusName string // unique (":1.5") or well-known name of the item's connection
	Path    string // object path, normally /StatusNotifierItem
}

// String is the form the watcher lists in RegisteredStatusNotifierItems.
func (it Item) String() string { return it.BusName + it.Path }

// MenuEntry is one com.canonical.dbusmenu entry with its properties decoded
// (defaults applied as the dbusmenu spec says).
type MenuEntry struct {
	ID          int32
	Type        string // "standard" or "separator"
	Label       string
	Enabled     bool
	Visible     bool
	ToggleType  string // "", "checkmark" or "radio"
	ToggleState int32  // 0 off, 1 on, -1 indeterminate
	Children    []MenuEntry
}

// Pixmap is one entry of the item's IconPixmap (ARGB32, network byte order).
type Pixmap struct {
	Width, Height int32
	ARGB          []byte
}

// ItemProps are the org.kde.StatusNotifierItem properties a panel shows.
type ItemProps struct {
	ID, Title, Status, Category, IconName string
	ToolTipTitle, ToolTipDescription      string
	IconPixmaps                           []Pixmap
	Menu                                  string
	ItemIsMenu                            bool
}

// Host is a running test StatusNotifier host.
type Host struct {
	conn  *dbus.Conn
	props *prop.Properties
	host  string // our org.kde.StatusNotifierHost-<pid> name

	mu      sync.Mutex
	items   []Item
	changed chan struct{} // closed and replaced on every change of items
	// revisions is the last LayoutUpdated revision per sender (unique name);
	// primed holds the items whose menu was read once (see Menu).
	revisions map[string]uint32
	primed    map[Item]bool
	closed    bool
	done      chan struct{}
	wg        sync.WaitGroup
}

// watcher is the exported D-Bus object; only its methods become D-Bus methods.
type watcher struct{ h *Host }

// RegisterStatusNotifierItem records an item. service is either an object
// path (the item lives on the caller's connection) or a bus name (the item
// lives at /StatusNotifierItem on that name), as KDE's watcher accepts.
func (w watcher) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := Item{BusName: service, Path: defaultItem}
	if len(service) > 0 && service[0] == '/' {
		it = Item{BusName: string(sender), Path: service}
	}
	if it.BusName == "" {
		return dbus.MakeFailedError(errors.New("empty service"))
	}
	w.h.add(it)
	return nil
}

// RegisterStatusNotifierHost accepts other hosts and ignores them.
func (w watcher) RegisterStatusNotifierHost(service string) *dbus.Error { return nil }

// Start connects to the bus at busAddress (a session bus address such as
// "unix:path=/tmp/x/bus"), owns org.kde.StatusNotifierWatcher and
// org.kde.StatusNotifierHost-<pid>, and serves the watcher until Close.
func Start(busAddress string) (*Host, error) {
	conn, err := dbus.Connect(busAddress)
	if err != nil {
		return nil, fmt.Errorf("snihost: connect %s: %w", busAddress, err)
	}
	h := &Host{conn: conn, changed: make(chan struct{}), done: make(chan struct{}),
		revisions: map[string]uint32{}, primed: map[Item]bool{}}
	if err := h.export(); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender(busName), dbus.WithMatchObjectPath(busPath),
		dbus.WithMatchInterface(busName), dbus.WithMatchMember("NameOwnerChanged"),
	); err != nil {
		conn.Close()
		return nil, fmt.Errorf("snihost: watch names: %w", err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(menuIface), dbus.WithMatchMember("LayoutUpdated")); err != nil {
		conn.Close()
		return nil, fmt.Errorf("snihost: watch menus: %w", err)
	}
	sigs := make(chan *dbus.Signal, 32)
	conn.Signal(sigs)
	h.wg.Add(1)
	go h.forgetVanished(sigs)

	// Names last: once we own the watcher name, items may register.
	h.host = fmt.Sprintf("org.kde.StatusNotifierHost-%d", os.Getpid())
	for _, name := range []string{h.host, watcherName} {
		reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
		if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
			h.Close()
			return nil, fmt.Errorf("snihost: own %s: reply %v: %v", name, reply, err)
		}
	}
	if err := conn.Emit(watcherPath, watcherName+".StatusNotifierHostRegistered"); err != nil {
		h.Close()
		return nil, fmt.Errorf("snihost: announce host: %w", err)
	}
	return h, nil
}

func (h *Host) export() error {
	if err := h.conn.Export(watcher{h}, watcherPath, watcherName); err != nil {
		return fmt.Errorf("snihost: export watcher: %w", err)
	}
	props, err := prop.Export(h.conn, watcherPath, prop.Map{watcherName: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		return fmt.Errorf("snihost: export watcher properties: %w", err)
	}
	h.props = props
	node := &introspect.Node{Name: watcherPath, Interfaces: []introspect.Interface{
		introspect.IntrospectData, prop.IntrospectData,
		{
			Name: watcherName,
			Methods: []introspect.Method{
				{Name: "RegisterStatusNotifierItem", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
				{Name: "RegisterStatusNotifierHost", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
			},
			Signals: []introspect.Signal{
				{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}},
				{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Type: "s"}}},
				{Name: "StatusNotifierHostRegistered"},
			},
			Properties: []introspect.Property{
				{Name: "RegisteredStatusNotifierItems", Type: "as", Access: "read"},
				{Name: "IsStatusNotifierHostRegistered", Type: "b", Access: "read"},
				{Name: "ProtocolVersion", Type: "i", Access: "read"},
			},
		},
	}}
	if err := h.conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		return fmt.Errorf("snihost: export introspection: %w", err)
	}
	return nil
}

// add records an item once (a second registration of the same item, which
// fyne.io/systray and the tray package may both send, is a no-op).
func (h *Host) add(it Item) {
	h.mu.Lock()
	if h.closed || slices.Contains(h.items, it) {
		h.mu.Unlock()
		return
	}
	h.items = append(h.items, it)
	h.publishLocked()
	h.mu.Unlock()
	_ = h.conn.Emit(watcherPath, watcherName+".StatusNotifierItemRegistered", it.String())
}

// publishLocked updates the property and wakes waiters; h.mu is held.
func (h *Host) publishLocked() {
	list := make([]string, len(h.items))
	for i, it := range h.items {
		list[i] = it.String()
	}
	h.props.SetMust(watcherName, "RegisteredStatusNotifierItems", list)
	close(h.changed)
	h.changed = make(chan struct{})
}

// forgetVanished drops items whose connection left the bus, as real watchers do.
func (h *Host) forgetVanished(sigs chan *dbus.Signal) {
	defer h.wg.Done()
	for {
		var sig *dbus.Signal
		select {
		case sig = <-sigs:
		case <-h.done:
			return
		}
		if sig == nil {
			return
		}
		if sig.Name == menuIface+".LayoutUpdated" && len(sig.Body) == 2 {
			if rev, ok := sig.Body[0].(uint32); ok {
				h.mu.Lock()
				h.revisions[sig.Sender] = max(h.revisions[sig.Sender], rev)
				close(h.changed)
				h.changed = make(chan struct{})
				h.mu.Unlock()
			}
			continue
		}
		if sig.Name != nameChangeSg || len(sig.Body) < 3 {
			continue
		}
		name, _ := sig.Body[0].(string)
		newOwner, _ := sig.Body[2].(string)
		if newOwner != "" {
			continue
		}
		var gone []Item
		h.mu.Lock()
		kept := h.items[:0]
		for _, it := range h.items {
			if it.BusName == name {
				gone = append(gone, it)
			} else {
				kept = append(kept, it)
			}
		}
		h.items = kept
		if len(gone) > 0 && !h.closed {
			h.publishLocked()
		}
		h.mu.Unlock()
		for _, it := range gone {
			_ = h.conn.Emit(watcherPath, watcherName+".StatusNotifierItemUnregistered", it.String())
		}
	}
}

// Items lists the registered items now.
func (h *Host) Items() []Item {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.items)
}

// WaitItem waits for the first registered item.
func (h *Host) WaitItem(ctx context.Context) (Item, error) {
	for {
		h.mu.Lock()
		if len(h.items) > 0 {
			it := h.items[0]
			h.mu.Unlock()
			return it, nil
		}
		changed := h.changed
		h.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return Item{}, fmt.Errorf("snihost: no item registered: %w", ctx.Err())
		}
	}
}

// WaitGone waits until it is no longer registered.
func (h *Host) WaitGone(ctx context.Context, it Item) error {
	for {
		h.mu.Lock()
		present := slices.Contains(h.items, it)
		changed := h.changed
		h.mu.Unlock()
		if !present {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("snihost: %s still registered: %w", it, ctx.Err())
		}
	}
}

// Props reads the item's org.kde.StatusNotifierItem properties.
func (h *Host) Props(ctx context.Context, it Item) (ItemProps, error) {
	var all map[string]dbus.Variant
	err := h.conn.Object(it.BusName, dbus.ObjectPath(it.Path)).
		CallWithContext(ctx, propsIface+".GetAll", 0, itemIface).Store(&all)
	if err != nil {
		return ItemProps{}, fmt.Errorf("snihost: item properties of %s: %w", it, err)
	}
	p := ItemProps{
		ID:       str(all["Id"]),
		Title:    str(all["Title"]),
		Status:   str(all["Status"]),
		Category: str(all["Category"]),
		IconName: str(all["IconName"]),
	}
	if v, ok := all["Menu"]; ok {
		if path, ok := v.Value().(dbus.ObjectPath); ok {
			p.Menu = string(path)
		}
	}
	if v, ok := all["ItemIsMenu"]; ok {
		p.ItemIsMenu, _ = v.Value().(bool)
	}
	if v, ok := all["IconPixmap"]; ok {
		p.IconPixmaps = pixmaps(v.Value())
	}
	// ToolTip is (s icon name, a(iiay) icon, s title, s description).
	if v, ok := all["ToolTip"]; ok {
		if f, ok := v.Value().([]interface{}); ok && len(f) == 4 {
			p.ToolTipTitle, _ = f[2].(string)
			p.ToolTipDescription, _ = f[3].(string)
		}
	}
	return p, nil
}

func str(v dbus.Variant) string {
	s, _ := v.Value().(string)
	return s
}

func pixmaps(v interface{}) []Pixmap {
	list, _ := v.([][]interface{})
	var out []Pixmap
	for _, f := range list {
		if len(f) != 3 {
			continue
		}
		w, _ := f[0].(int32)
		hh, _ := f[1].(int32)
		data, _ := f[2].([]byte)
		out = append(out, Pixmap{Width: w, Height: hh, ARGB: data})
	}
	return out
}

// Menu reads the item's whole com.canonical.dbusmenu layout. Submenus the
// first GetLayout left empty (fyne.io/systray answers its first call one
// level deep, for libdbusmenu-gtk's sake) are fetched on their own.
func (h *Host) Menu(ctx context.Context, it Item) ([]MenuEntry, error) {
	p, err := h.Props(ctx, it)
	if err != nil {
		return nil, err
	}
	if p.Menu == "" || p.Menu == "/" {
		return nil, fmt.Errorf("snihost: %s exports no menu", it)
	}
	obj := h.conn.Object(it.BusName, dbus.ObjectPath(p.Menu))
	if err := h.prime(ctx, it, obj); err != nil {
		return nil, err
	}
	_, root, err := layout(ctx, obj, 0)
	if err != nil {
		return nil, err
	}
	return root.Children, nil
}

// prime does an item's first menu read the way a panel does. fyne.io/systray
// answers the first GetLayout one level deep (for libdbusmenu-gtk) and
// announces the full menu with LayoutUpdated ~150 ms later; panels read the
// layout again then; so does the host (waiting primeSettle to primeWait).
func (h *Host) prime(ctx context.Context, it Item, obj dbus.BusObject) error {
	h.mu.Lock()
	done := h.primed[it]
	h.mu.Unlock()
	if done {
		return nil
	}
	sender := it.BusName
	if sender[0] != ':' {
		if err := h.conn.BusObject().CallWithContext(ctx, busName+".GetNameOwner", 0, sender).Store(&sender); err != nil {
			return fmt.Errorf("snihost: owner of %s: %w", it.BusName, err)
		}
	}
	rev, _, err := layout(ctx, obj, 0)
	if err != nil {
		return err
	}
	// Wait for fyne's LayoutUpdated (a newer revision), then settle: fyne
	// bumps the revision without its menu lock, so reads right around the
	// bump race with it under -race.
	settle := time.NewTimer(primeSettle)
	defer settle.Stop()
	timeout := time.NewTimer(primeWait)
	defer timeout.Stop()
	settled := false
	for {
		h.mu.Lock()
		seen, changed := h.revisions[sender], h.changed
		h.mu.Unlock()
		if seen > rev && settled {
			break
		}
		select {
		case <-changed:
			continue
		case <-settle.C:
			settled = true
			continue
		case <-timeout.C:
		case <-ctx.Done():
			return ctx.Err()
		}
		break
	}
	h.mu.Lock()
	h.primed[it] = true
	h.mu.Unlock()
	return nil
}

// primeSettle and primeWait bound the wait after a menu's first read.
const (
	primeSettle = 400 * time.Millisecond
	primeWait   = time.Second
)

func layout(ctx context.Context, obj dbus.BusObject, id int32) (uint32, MenuEntry, error) {
	var (
		rev uint32
		raw struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
	)
	call := obj.CallWithContext(ctx, menuIface+".GetLayout", 0, id, int32(-1), []string{})
	if err := call.Store(&rev, &raw); err != nil {
		return 0, MenuEntry{}, fmt.Errorf("snihost: menu layout of %d: %w", id, err)
	}
	e, err := build(ctx, obj, raw.ID, raw.Props, raw.Children, true)
	return rev, e, err
}

func build(ctx context.Context, obj dbus.BusObject, id int32, props map[string]dbus.Variant, children []dbus.Variant, root bool) (MenuEntry, error) {
	e := entry(id, props)
	if !root && len(children) == 0 && str(props["children-display"]) == "submenu" {
		_, sub, err := layout(ctx, obj, id)
		if err != nil {
			return MenuEntry{}, err
		}
		e.Children = sub.Children
		return e, nil
	}
	for _, c := range children {
		f, ok := c.Value().([]interface{})
		if !ok || len(f) != 3 {
			return MenuEntry{}, fmt.Errorf("snihost: menu entry under %d has signature %s", id, c.Signature())
		}
		cid, _ := f[0].(int32)
		cprops, _ := f[1].(map[string]dbus.Variant)
		grand, _ := f[2].([]dbus.Variant)
		child, err := build(ctx, obj, cid, cprops, grand, false)
		if err != nil {
			return MenuEntry{}, err
		}
		e.Children = append(e.Children, child)
	}
	return e, nil
}

func entry(id int32, p map[string]dbus.Variant) MenuEntry {
	e := MenuEntry{ID: id, Type: "standard", Enabled: true, Visible: true, ToggleState: -1}
	if v, ok := p["type"]; ok {
		e.Type = str(v)
	}
	e.Label = str(p["label"])
	if v, ok := p["enabled"]; ok {
		e.Enabled, _ = v.Value().(bool)
	}
	if v, ok := p["visible"]; ok {
		e.Visible, _ = v.Value().(bool)
	}
	e.ToggleType = str(p["toggle-type"])
	if v, ok := p["toggle-state"]; ok {
		// The spec says int32; be lenient with other integer kinds.
		switch n := v.Value().(type) {
		case int32:
			e.ToggleState = n
		case int64:
			e.ToggleState = int32(n)
		case int:
			e.ToggleState = int32(n)
		}
	}
	return e
}

// Find returns the first visible entry with this label, searching submenus
// depth first.
func Find(entries []MenuEntry, label string) (MenuEntry, bool) {
	for _, e := range entries {
		if e.Visible && e.Label == label {
			return e, true
		}
		if c, ok := Find(e.Children, label); ok && e.Visible {
			return c, true
		}
	}
	return MenuEntry{}, false
}

// Click sends the "clicked" event a panel sends when the user picks the
// visible entry with this label (submenus included).
func (h *Host) Click(ctx context.Context, it Item, label string) error {
	entries, err := h.Menu(ctx, it)
	if err != nil {
		return err
	}
	e, ok := Find(entries, label)
	if !ok {
		return fmt.Errorf("snihost: no visible menu entry %q", label)
	}
	p, err := h.Props(ctx, it)
	if err != nil {
		return err
	}
	call := h.conn.Object(it.BusName, dbus.ObjectPath(p.Menu)).CallWithContext(ctx,
		menuIface+".Event", 0, e.ID, "clicked", dbus.MakeVariant(int32(0)), uint32(time.Now().Unix()))
	if call.Err != nil {
		return fmt.Errorf("snihost: click %q: %w", label, call.Err)
	}
	return nil
}

// Close releases the names and disconnects; items see the watcher vanish.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	close(h.done)
	err := h.conn.Close()
	h.wg.Wait()
	return err
}
