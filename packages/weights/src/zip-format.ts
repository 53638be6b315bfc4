/** Record signatures of the zip format (APPNOTE.TXT), shared by the reader and the writer. */
export const ZIP_SIGNATURE = {
  localHeader: 0x04034b50,
  centralHeader: 0x02014b50,
  end: 0x06054b50,
  end64: 0x06064b50,
  end64Locator: 0x07064b50,
} as const;
