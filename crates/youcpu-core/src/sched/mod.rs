//! Scheduling: Linux's load weights and timeslice arithmetic.

pub mod sim;
pub mod timeslice;
pub mod weights;

pub use timeslice::{
    compute_timeslices, Regime, TaskSlice, Timeslice, TimesliceError, TimesliceParams,
};
pub use weights::{nice_to_weight, NICE_MAX, NICE_MIN};
