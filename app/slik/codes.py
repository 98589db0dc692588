"""The code lists the SLIK report starts with (the migration seeds them; an admin maintains
them afterwards through ``/v1/slik/codes``). Each entry: list, code, label, and our value it
stands for. Regions are the guideline's four-digit *Dati II* codes; the codes of the other
lists follow the guideline's references as far as the stored sources showed them — the README
says which are approximate and to be confirmed against the current reference tables."""

SEED: tuple[tuple[str, str, str, str | None], ...] = (
    # Golongan debitur / penjamin (approximate).
    ("debtor_kind", "9000", "Perseorangan", "person"),
    ("debtor_kind", "8000", "Badan usaha swasta", "company"),
    # Jenis kredit/pembiayaan of a lembaga pembiayaan (codes as in the guideline's list P01-P11,
    # N01, N02, N99, P99; the vehicle mapping approximate).
    ("facility_kind", "P01", "Pembiayaan investasi", None),
    ("facility_kind", "P02", "Pembiayaan modal kerja", None),
    ("facility_kind", "P03", "Pembiayaan multiguna", None),
    ("facility_kind", "P04", "Pembiayaan multiguna, pembelian dengan angsuran: motor", "MC"),
    ("facility_kind", "P05", "Pembiayaan multiguna, pembelian dengan angsuran: mobil", "CAR"),
    ("facility_kind", "P99", "Pembiayaan lainnya", None),
    # Jenis agunan (approximate).
    ("collateral_kind", "189", "Kendaraan bermotor roda dua", "MC"),
    ("collateral_kind", "190", "Kendaraan bermotor roda empat atau lebih", "CAR"),
    ("collateral_kind", "999", "Agunan lainnya", None),
    # Dati II of DKI Jakarta.
    ("region", "0391", "Kota Jakarta Pusat", "jakarta pusat"),
    ("region", "0392", "Kota Jakarta Utara", "jakarta utara"),
    ("region", "0393", "Kota Jakarta Barat", "jakarta barat"),
    ("region", "0394", "Kota Jakarta Selatan", "jakarta selatan"),
    ("region", "0395", "Kota Jakarta Timur", "jakarta timur"),
    ("region", "0396", "Kabupaten Kepulauan Seribu", "kepulauan seribu"),
    # Sektor ekonomi: households' vehicle ownership (approximate), and trade for companies.
    ("sector", "004150", "Rumah tangga untuk pemilikan kendaraan bermotor roda dua", "MC"),
    ("sector", "004160", "Rumah tangga untuk pemilikan kendaraan bermotor roda empat", "CAR"),
    ("sector", "004900", "Rumah tangga untuk keperluan lainnya", None),
    ("sector", "479900", "Perdagangan eceran lainnya", "company"),
    # Pekerjaan debitur (approximate).
    ("occupation", "001", "Pegawai swasta", "employee"),
    ("occupation", "002", "Pegawai negeri sipil", "civil_servant"),
    ("occupation", "003", "TNI/Polri", "military_police"),
    ("occupation", "004", "Wiraswasta", "entrepreneur"),
    ("occupation", "005", "Profesional", "professional"),
    ("occupation", "006", "Petani/nelayan", "farmer_fisher"),
    ("occupation", "007", "Pengemudi", "driver"),
    ("occupation", "008", "Ibu rumah tangga", "housewife"),
    ("occupation", "009", "Pensiunan", "retired"),
    ("occupation", "099", "Lainnya", "other"),
)
