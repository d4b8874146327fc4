// Stand-in for the typings of the npm package tim-upload-plugin 1.4.3 (not installed in this
// repository): that package declares its default export as an empty class, and so does this.
declare module 'tim-upload-plugin' {
  export default class TIMUploadPlugin {}
}
