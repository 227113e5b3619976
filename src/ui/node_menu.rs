//! The node menu: clicking a node on the canvas (or Enter on it in the Nodes list)
//! opens a menu of what can be done to it — crash, graceful shutdown, restart, isolate,
//! wipe, and for brokers a controlled shutdown. Items that the simulator would refuse
//! (wipe on a running node, restart on a running one…) are shown disabled with the
//! reason, read from the node's state; choosing one sends the intervention through the
//! reducer. Esc closes the menu and returns focus to the node's row.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::math::Fixed;
use super::narrate::node_name;
use super::state::Action;
use crate::kraft::NodeId;
use crate::metadata::broker::BrokerState;
use crate::sim::{Intervention, World};

/// Where the menu was opened: at a point on the canvas (CSS pixels), or from the list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MenuAnchor {
    pub node: NodeId,
    pub at: Option<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MenuItem {
    pub label: &'static str,
    /// The accessible name, naming the node.
    pub aria: String,
    pub intervention: Intervention,
    /// Why the item does not apply now, if it does not.
    pub disabled: Option<&'static str>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeMenuView {
    pub anchor: MenuAnchor,
    pub name: String,
    pub items: Vec<MenuItem>,
}

impl NodeMenuView {
    pub fn build(w: &World, anchor: MenuAnchor) -> Option<NodeMenuView> {
        let id = anchor.node;
        let p = w.process(id)?;
        let name = node_name(w.spec(), id);
        let alive = p.alive();
        let when = |ok: bool, why: &'static str| (!ok).then_some(why);
        let mut items = vec![
            MenuItem {
                label: "Crash",
                aria: format!("Crash {name}"),
                intervention: Intervention::Crash(id),
                disabled: when(alive, "already stopped"),
            },
            MenuItem {
                label: "Graceful shutdown",
                aria: format!("Shut down {name} gracefully"),
                intervention: Intervention::Shutdown(id),
                disabled: when(alive, "already stopped"),
            },
            MenuItem {
                label: "Restart",
                aria: format!("Restart {name}"),
                intervention: Intervention::Restart(id),
                disabled: when(!alive, "still running: stop it first"),
            },
            MenuItem {
                label: "Isolate",
                aria: format!("Isolate {name} from the network"),
                intervention: Intervention::Isolate(id),
                disabled: None,
            },
            MenuItem {
                label: "Wipe disk",
                aria: format!("Wipe the disk of {name}"),
                intervention: Intervention::Wipe(id),
                disabled: when(!alive, "only a stopped node's disk can be wiped"),
            },
        ];
        if let Some(state) = p.broker_state() {
            let shutting = matches!(
                state,
                BrokerState::PendingControlledShutdown | BrokerState::ShuttingDown
            );
            items.push(MenuItem {
                label: "Controlled shutdown",
                aria: format!("Controlled shutdown of {name}"),
                intervention: Intervention::ControlledShutdown(id),
                disabled: if !alive {
                    Some("already stopped")
                } else if shutting {
                    Some("already shutting down")
                } else {
                    None
                },
            });
        }
        Some(NodeMenuView {
            anchor,
            name,
            items,
        })
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub view: NodeMenuView,
    pub dispatch: Callback<Action>,
}

fn focus_node_row(node: NodeId) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!(".node-list [data-node=\"{node}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// Moves focus among the menu's enabled items (wrapping).
fn move_focus(menu: &web_sys::Element, step: i32) {
    let Ok(items) = menu.query_selector_all("button:not([disabled])") else {
        return;
    };
    let n = items.length() as i32;
    if n == 0 {
        return;
    }
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let current = (0..n).find(|&i| {
        items
            .item(i as u32)
            .zip(active.as_ref())
            .is_some_and(|(a, b)| a.is_same_node(Some(b.as_ref())))
    });
    let next = match current {
        Some(i) => (i + step).rem_euclid(n),
        None if step > 0 => 0,
        None => n - 1,
    };
    if let Some(el) = items
        .item(next as u32)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[function_component(NodeMenu)]
pub fn node_menu(props: &Props) -> Html {
    let v = &props.view;
    let menu_ref = use_node_ref();
    // Focus the first enabled item when the menu opens (or moves to another node).
    {
        let menu_ref = menu_ref.clone();
        use_effect_with(v.anchor, move |_| {
            if let Some(m) = menu_ref.cast::<web_sys::Element>() {
                move_focus(&m, 1);
            }
        });
    }
    let node = v.anchor.node;
    let onkeydown = {
        let dispatch = props.dispatch.clone();
        let menu_ref = menu_ref.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" => {
                e.prevent_default();
                e.stop_propagation();
                dispatch.emit(Action::CloseMenu);
                focus_node_row(node);
            }
            "ArrowDown" | "ArrowUp" => {
                e.prevent_default();
                if let Some(m) = menu_ref.cast::<web_sys::Element>() {
                    move_focus(&m, if e.key() == "ArrowDown" { 1 } else { -1 });
                }
            }
            _ => {}
        })
    };
    let close = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::CloseMenu))
    };
    let style = match v.anchor.at {
        Some((x, y)) => format!("left:{}px;top:{}px", Fixed(x + 12.0, 0), Fixed(y + 12.0, 0)),
        None => String::new(),
    };
    html! {
        <div ref={menu_ref} class={classes!("node-menu", v.anchor.at.is_none().then_some("from-list"))}
            id="node-menu" role="menu" aria-label={format!("Actions on {}", v.name)}
            data-node={node.to_string()} {style} {onkeydown}>
            <div class="menu-title" aria-hidden="true">{ &v.name }</div>
            { for v.items.iter().map(|item| {
                let dispatch = props.dispatch.clone();
                let i = item.intervention.clone();
                let onclick = Callback::from(move |_: MouseEvent| {
                    dispatch.emit(Action::Intervene(i.clone()));
                    focus_node_row(node);
                });
                html! {
                    <button role="menuitem" type="button" aria-label={item.aria.clone()}
                        disabled={item.disabled.is_some()} title={item.disabled.unwrap_or("")}
                        tabindex="-1" {onclick}>
                        { item.label }
                        if let Some(why) = item.disabled { <span class="why">{ format!(" — {why}") }</span> }
                    </button>
                }
            }) }
            <button type="button" class="menu-close" aria-label="Close the menu (Esc)" tabindex="-1" onclick={close}>{ "Close" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterSpec;

    fn enabled(v: &NodeMenuView) -> Vec<&'static str> {
        v.items
            .iter()
            .filter(|i| i.disabled.is_none())
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn a_running_broker_offers_stop_isolate_and_controlled_shutdown_not_wipe() {
        let mut w = World::new(ClusterSpec::new(3, 2, 1, true), false);
        w.run_until(3_000);
        let v = NodeMenuView::build(&w, MenuAnchor { node: 4, at: None }).unwrap();
        assert_eq!(
            enabled(&v),
            [
                "Crash",
                "Graceful shutdown",
                "Isolate",
                "Controlled shutdown"
            ]
        );
        let wipe = v.items.iter().find(|i| i.label == "Wipe disk").unwrap();
        assert_eq!(
            wipe.disabled,
            Some("only a stopped node's disk can be wiped")
        );
        assert_eq!(wipe.aria, "Wipe the disk of Broker 4");
    }

    #[test]
    fn a_stopped_controller_offers_restart_and_wipe_and_no_controlled_shutdown() {
        let mut w = World::new(ClusterSpec::new(3, 2, 1, true), false);
        w.run_until(3_000);
        w.apply(&Intervention::Crash(2)).unwrap();
        let v = NodeMenuView::build(&w, MenuAnchor { node: 2, at: None }).unwrap();
        assert_eq!(enabled(&v), ["Restart", "Isolate", "Wipe disk"]);
        assert!(v.items.iter().all(|i| i.label != "Controlled shutdown"));
        assert!(NodeMenuView::build(&w, MenuAnchor { node: 99, at: None }).is_none());
    }
}

#[cfg(test)]
mod reducer_tests {
    use super::*;
    use crate::sim::ClusterSpec;
    use crate::ui::state::{Model, Selection};
    use crate::ui::view_model::PanelData;

    #[test]
    fn open_menu_selects_the_node_and_an_action_or_escape_closes_it() {
        let mut m = Model::new(ClusterSpec::new(3, 2, 7, true));
        let anchor = MenuAnchor {
            node: 2,
            at: Some((10.0, 20.0)),
        };
        m.reduce(Action::OpenMenu(anchor));
        assert_eq!(m.menu, Some(anchor));
        assert_eq!(m.selected, Some(Selection::Node(2)));
        let d = PanelData::build(&m);
        assert_eq!(d.menu.as_ref().unwrap().anchor, anchor);
        assert_eq!(d.menu.unwrap().name, "Controller 2");
        m.reduce(Action::Intervene(Intervention::Crash(2)));
        assert_eq!(m.menu, None);
        assert!(!m.world().process(2).unwrap().alive());
        m.reduce(Action::OpenMenu(anchor));
        m.reduce(Action::CloseMenu);
        assert_eq!(m.menu, None);
        assert_eq!(m.selected, Some(Selection::Node(2)));
        // Esc clears the selection, which closes any menu.
        m.reduce(Action::OpenMenu(anchor));
        m.reduce(Action::Select(None));
        assert_eq!(m.menu, None);
        // A node that does not exist opens nothing.
        m.reduce(Action::OpenMenu(MenuAnchor { node: 42, at: None }));
        assert_eq!(m.menu, None);
    }
}
