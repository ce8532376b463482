// Include LAST in a .cpp whose float arithmetic must match GGML bit for bit.
// GCC contracts a*b+c into one FMA by default whenever the target has FMA
// (-march=native), clang does so within one expression; GGML's reference
// library is built without FMA. Where a*b is inexact (the quantisers' x*id +
// 8.5f) a contraction changes the rounding. The dequantisers' products happen
// to be exact (fp16 scale x small integers), so there it is only insurance.
#pragma once

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
