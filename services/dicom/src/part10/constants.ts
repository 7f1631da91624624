/** Tags and lengths with a structural meaning in every DICOM encoding (PS3.5 7.5, A.4). */

/** Value length 0xFFFFFFFF: the value runs until a delimiter (sequences, items, encapsulated pixel data). */
export const UNDEFINED_LENGTH = 0xffffffff;
/** (FFFE,E000) Item. */
export const ITEM = 0xfffee000;
/** (FFFE,E00D) Item Delimitation Item: ends an item of undefined length. */
export const ITEM_DELIMITER = 0xfffee00d;
/** (FFFE,E0DD) Sequence Delimitation Item: ends a sequence or encapsulated pixel data of undefined length. */
export const SEQUENCE_DELIMITER = 0xfffee0dd;
/** (7FE0,0010) Pixel Data. */
export const PIXEL_DATA = 0x7fe00010;
/** (0002,0010) Transfer Syntax UID, in the file meta group. */
export const TRANSFER_SYNTAX_UID = 0x00020010;
/** Offset of the first file meta element: after the 128-byte preamble and "DICM" (PS3.10 7.1). */
export const FILE_META_START = 132;
