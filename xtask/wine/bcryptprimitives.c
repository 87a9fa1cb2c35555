/* A stand-in for Windows' bcryptprimitives.dll, for wine only: a test
 * fixture, never shipped, never used on Windows itself. Rust's standard
 * library (1.78 and later) takes its random numbers from ProcessPrng in
 * that DLL, which wine 8 lacks: every Rust program then ends at start with
 * "bcryptprimitives.dll not found". This gives ProcessPrng from
 * BCryptGenRandom, which wine has. Built and installed by .ci/wine. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    return BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG));
}
