//! Brackets: an entry with a stop loss and/or take profit riding as an OCO pair.

use emp_model::{
    ClientOrderId, OrderParams, OrderStatus, OrderType, Price, Quantity, TimeInForce, UnixNanos,
};

use crate::error::Result;
use crate::venue::{OrderRequest, SubmitOrder};

/// Which order of a bracket.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BracketLeg {
    /// The entry.
    Entry,
    /// The protective stop.
    StopLoss,
    /// The profit target.
    TakeProfit,
}

/// What the bracket asks the order manager to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BracketAction {
    /// Send a child order.
    Submit(SubmitOrder),
    /// Cancel a child.
    Cancel(ClientOrderId),
}

/// Where a bracket is in its life cycle.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BracketState {
    /// Entry working.
    Pending,
    /// Children live.
    Active,
    /// Finished.
    Done,
}

/// An entry plus its protective children.
///
/// Life cycle:
/// 1. **Pending**: only the entry is at the venue.
/// 2. **Active**: when the entry is completely filled — or ends (cancelled / expired, e.g.
///    an IOC remainder) with a non-zero filled quantity — the children are submitted on the
///    opposite side for the entry's filled quantity: a stop at `stop_loss`, a limit at
///    `take_profit`, both GTC, each naming the other as its OCO sibling.
/// 3. **Done**: when one child fills completely the other is cancelled (a venue with
///    native OCO, like the simulated one, already does so and also shrinks the sibling on
///    partial fills). An entry that ends with nothing filled ends the bracket.
///
/// Children ids are the entry id with `-SL` / `-TP` appended.
#[derive(Clone, Debug)]
pub struct Bracket {
    entry: OrderRequest,
    stop_loss: Option<(ClientOrderId, Price)>,
    take_profit: Option<(ClientOrderId, Price)>,
    state: BracketState,
}

impl Bracket {
    /// A bracket for a request with a stop loss or take profit (`None` otherwise).
    pub fn try_new(request: &OrderRequest) -> Result<Option<Self>> {
        if request.stop_loss.is_none() && request.take_profit.is_none() {
            return Ok(None);
        }
        let child = |suffix: &str| ClientOrderId::try_new(&format!("{}-{suffix}", request.id));
        Ok(Some(Bracket {
            entry: request.clone(),
            stop_loss: request
                .stop_loss
                .map(|p| child("SL").map(|id| (id, p)))
                .transpose()?,
            take_profit: request
                .take_profit
                .map(|p| child("TP").map(|id| (id, p)))
                .transpose()?,
            state: BracketState::Pending,
        }))
    }

    /// The entry id.
    pub fn entry_id(&self) -> &ClientOrderId {
        &self.entry.id
    }
    /// Stop-loss child id.
    pub fn stop_loss_id(&self) -> Option<&ClientOrderId> {
        self.stop_loss.as_ref().map(|(id, _)| id)
    }
    /// Take-profit child id.
    pub fn take_profit_id(&self) -> Option<&ClientOrderId> {
        self.take_profit.as_ref().map(|(id, _)| id)
    }
    /// The bracket's state.
    pub fn state(&self) -> BracketState {
        self.state
    }
    /// The strategy of the entry.
    pub fn strategy_id(&self) -> &str {
        &self.entry.strategy_id
    }

    /// Which leg an order id is, if any.
    pub fn leg_of(&self, id: &ClientOrderId) -> Option<BracketLeg> {
        if id == &self.entry.id {
            Some(BracketLeg::Entry)
        } else if self.stop_loss_id() == Some(id) {
            Some(BracketLeg::StopLoss)
        } else if self.take_profit_id() == Some(id) {
            Some(BracketLeg::TakeProfit)
        } else {
            None
        }
    }

    /// Advances the bracket after order `id` reached `status` with `filled` quantity.
    /// `sibling_open` tells whether the other child is still open in our books.
    pub fn on_update(
        &mut self,
        id: &ClientOrderId,
        status: OrderStatus,
        filled: Quantity,
        ts: UnixNanos,
        sibling_open: bool,
    ) -> Vec<BracketAction> {
        let mut actions = Vec::new();
        match (self.leg_of(id), self.state) {
            (Some(BracketLeg::Entry), BracketState::Pending) if status.is_terminal() => {
                if filled.is_positive() {
                    self.state = BracketState::Active;
                    let sl = self.stop_loss.clone();
                    let tp = self.take_profit.clone();
                    let sibling =
                        |o: &Option<(ClientOrderId, Price)>| o.as_ref().map(|(id, _)| id.clone());
                    if let Some((sl_id, stop)) = &sl {
                        let params =
                            self.child(sl_id, OrderType::Stop, None, Some(*stop), filled, ts);
                        actions.push(BracketAction::Submit(SubmitOrder::new(
                            params,
                            sibling(&tp),
                        )));
                    }
                    if let Some((tp_id, limit)) = &tp {
                        let params =
                            self.child(tp_id, OrderType::Limit, Some(*limit), None, filled, ts);
                        actions.push(BracketAction::Submit(SubmitOrder::new(
                            params,
                            sibling(&sl),
                        )));
                    }
                } else {
                    self.state = BracketState::Done;
                }
            }
            (Some(leg @ (BracketLeg::StopLoss | BracketLeg::TakeProfit)), BracketState::Active)
                if status.is_terminal() =>
            {
                self.state = BracketState::Done;
                let other = match leg {
                    BracketLeg::StopLoss => self.take_profit_id(),
                    _ => self.stop_loss_id(),
                };
                if status == OrderStatus::Filled && sibling_open {
                    if let Some(other) = other {
                        actions.push(BracketAction::Cancel(other.clone()));
                    }
                }
            }
            _ => {}
        }
        actions
    }

    /// The sibling of a child leg.
    pub fn sibling_of(&self, id: &ClientOrderId) -> Option<&ClientOrderId> {
        match self.leg_of(id)? {
            BracketLeg::StopLoss => self.take_profit_id(),
            BracketLeg::TakeProfit => self.stop_loss_id(),
            BracketLeg::Entry => None,
        }
    }

    fn child(
        &self,
        id: &ClientOrderId,
        order_type: OrderType,
        limit_price: Option<Price>,
        stop_price: Option<Price>,
        quantity: Quantity,
        ts: UnixNanos,
    ) -> OrderParams {
        OrderParams {
            id: id.clone(),
            instrument: self.entry.instrument.clone(),
            side: self.entry.side.opposite(),
            order_type,
            quantity,
            limit_price,
            stop_price,
            time_in_force: TimeInForce::Gtc,
            ts_init: ts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use emp_model::{InstrumentId, Side};

    #[test]
    fn entry_fill_arms_children_and_a_fill_cancels_the_sibling() {
        let req = OrderRequest::market(
            "s",
            ClientOrderId::try_new("E1").unwrap(),
            InstrumentId::try_new("EURUSD").unwrap(),
            Side::Buy,
            Quantity::from_int(1000),
        )
        .with_bracket(Some("1.09".parse().unwrap()), Some("1.12".parse().unwrap()));
        let mut b = Bracket::try_new(&req).unwrap().unwrap();
        let e = req.id.clone();
        let ts = UnixNanos::from_secs(1);
        // Partial fill, not terminal: nothing yet.
        assert!(
            b.on_update(
                &e,
                OrderStatus::PartiallyFilled,
                Quantity::from_int(400),
                ts,
                false
            )
            .is_empty()
        );
        // IOC remainder cancelled with 400 filled: children for 400.
        let acts = b.on_update(
            &e,
            OrderStatus::Cancelled,
            Quantity::from_int(400),
            ts,
            false,
        );
        assert_eq!(acts.len(), 2);
        let BracketAction::Submit(sl) = &acts[0] else {
            panic!("expected submit")
        };
        assert_eq!(sl.id().as_str(), "E1-SL");
        assert_eq!(sl.side(), Side::Sell);
        assert_eq!(sl.order_type(), OrderType::Stop);
        assert_eq!(sl.quantity(), Quantity::from_int(400));
        assert_eq!(sl.oco_sibling().map(|i| i.as_str()), Some("E1-TP"));
        assert_eq!(b.state(), BracketState::Active);
        let tp = b.take_profit_id().unwrap().clone();
        let acts = b.on_update(&tp, OrderStatus::Filled, Quantity::from_int(400), ts, true);
        assert_eq!(
            acts,
            vec![BracketAction::Cancel(
                ClientOrderId::try_new("E1-SL").unwrap()
            )]
        );
        assert_eq!(b.state(), BracketState::Done);
    }

    #[test]
    fn unfilled_entry_ends_the_bracket() {
        let req = OrderRequest::market(
            "s",
            ClientOrderId::try_new("E2").unwrap(),
            InstrumentId::try_new("EURUSD").unwrap(),
            Side::Sell,
            Quantity::from_int(1),
        )
        .with_bracket(Some("1.2".parse().unwrap()), None);
        let mut b = Bracket::try_new(&req).unwrap().unwrap();
        assert!(
            b.on_update(
                &req.id,
                OrderStatus::Rejected,
                Quantity::ZERO,
                UnixNanos::ZERO,
                false
            )
            .is_empty()
        );
        assert_eq!(b.state(), BracketState::Done);
        assert!(
            Bracket::try_new(&OrderRequest {
                stop_loss: None,
                ..req
            })
            .unwrap()
            .is_none()
        );
    }
}
