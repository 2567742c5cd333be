/**
 * SANDBOX-ONLY test keys for the Enable Banking sandbox. Never use them against the real API:
 * they are public, committed to the repository, and only the local sandbox trusts them.
 */

/** Application id (JWT `kid`) the sandbox knows. */
export const SANDBOX_APPLICATION_ID = 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'

/** RSA private key (PKCS#8) the sandbox application signs its JWTs with. */
export const SANDBOX_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCeYGbWdW1m2TMu
6oNPl3Xj6Clk1u8+HIHLHY4BpmNXwTKZBjesI1ospBglyqXkQB/TolDkhZCxp8ND
82exGxFp7qzRX54xuMfW2P7jzSnKbvsRfCsVBtjTB4gK7d+Rq3zj4IhKc1ydFD83
GuOYNNBGy1AfScPdE0KZbg3UchtmrlWnNDcU4EvU1GVKdzRpE58nWXLCpAPRKFPT
TTWMhOXnPeqkjfiduzvLRpG3vHUyNv0i+muuaKSehClbfmV4oKSHtR6gL+KrpOLp
9cpbNYjdlHAClashkdMm6hW+TCoGw1iR29cRRI0ZqaqSLom4L+iwdgB1R0WvWKdk
RJ251aoZAgMBAAECggEAHA1HKcUy03y1LCItj/Nr1ipQ6qOHTKEP/EIH3RLzlZ+K
rsADLGI2nqGSBV+Xco5JFNszKMbfkhf85hQ+0YfR1cmIoq0k//mSq+NTglXciRaP
MdGkb9z+mqJC3myzpMGTJWmnukgkp03mxIPmvBberStlzaTrJEU9DqAHoxFy+QSw
gs3Tn4QPCKwH6sWeWoS3rVOX5Ku6x0aiHBJcTxCMP5fKyDMgV9ptMJnElOsv4PBt
C/ioq6Fx8idnhoBuqaTB4NGB3tu+bU/2WVk54+894yIiWsXVpxpr/KTenXrdKc4p
2NxpY5O2oyBI2zIepckLL8AeqHHVr9CnqaQHLbOHgQKBgQDVmhbISpGcQl1gPIrb
C8gIoNSmN+5qPdadiWuirv+1ZssqTHc/kVzSdUBvpvYvhs5ITh0ZICn1kIpVa/S7
5MQVxhR1JJmvkURb8L4WIdE+MRuvdaxqvj5XbWuKB30PJC3zY/9+TvwLsRTVTrXj
j6fjwUb4UVkz/wn+kQc1xAfXTQKBgQC90BtZrWE+MyAG2FfFKQEWChA9c4RjWFxE
bnriDQydWyHk3YQY9eauQOAWGOU30SiHvq9ZKla7U0h6iCaSPjexvjNkfZR+xKrm
ZKxAuaGmMEOzvT+xXuno9JRZ6LTCNtgBV1w1eSDvs/DXevsqqM2C40o8tD0mpcIO
ZfLCE+nv/QKBgQCpjmqdTYwupQOoXAbBgKWmK70BwQ5RaYsOfMJjXlT/c3y8s/xJ
CqPLMGYY+0kbSwA+pzsz8bM9CiK1Uj/wUtVQj2832fjhRAgmj4Dk4q1Nl//pFRjr
lt632dTuuakNNuP++5cZdatfwI7QEG4UGLnl8kva3ABaZQ5S9F7r0BOFVQKBgQC8
fr/KbI1XMXoqkgmHd9LmShQakm70ITlvk69gcMkIMwoTt4+JIhl1DmP6TbrDlWgE
de64Q31iBbDCThbPwA2a62Ep+DPROAjnRy5wEGhhGykAg32O7MypVMlGB/wJqmET
4+dkCugUYsNXmX93u65qvsBoTC02BgISPle3OANnGQKBgCRM/Lcwy4cVMWhw5uee
j8Hltl2nGtG3u7Savu4rPKuKu9sPiEBHkPW8ajheqhfHhuOGO5evFtCefnZf6mAf
FnwTPGsceYPsVZ9DXDLnLhwfWE18ctrBtfGIhqOIUEirco6H9r+3ztgx3J14Ua/U
GnGY69pzvmqQFacRMX6z7ObE
-----END PRIVATE KEY-----
`

/** The matching public key, as if uploaded to the Enable Banking Control Panel. */
export const SANDBOX_PUBLIC_KEY_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnmBm1nVtZtkzLuqDT5d1
4+gpZNbvPhyByx2OAaZjV8EymQY3rCNaLKQYJcql5EAf06JQ5IWQsafDQ/NnsRsR
ae6s0V+eMbjH1tj+480pym77EXwrFQbY0weICu3fkat84+CISnNcnRQ/NxrjmDTQ
RstQH0nD3RNCmW4N1HIbZq5VpzQ3FOBL1NRlSnc0aROfJ1lywqQD0ShT0001jITl
5z3qpI34nbs7y0aRt7x1Mjb9IvprrmiknoQpW35leKCkh7UeoC/iq6Ti6fXKWzWI
3ZRwApWrIZHTJuoVvkwqBsNYkdvXEUSNGamqki6JuC/osHYAdUdFr1inZESdudWq
GQIDAQAB
-----END PUBLIC KEY-----
`
