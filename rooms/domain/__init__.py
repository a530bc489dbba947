"""Pure rules of the rooms service: pricing, stays, availability. No I/O."""
